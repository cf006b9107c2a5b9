// HTTP hooks for the standalone server, as tusd has them: HOOK_URL hears every finished upload (at
// least once, through finish-hooks.ts), HOOK_CREATE_URL may refuse an upload before it is stored.
// With HOOK_SECRET each request is signed: `Ferry-Signature: sha256=<hex HMAC-SHA256 of the body>`.
import { createHmac } from 'node:crypto';
import type { OnUploadFinish } from './finish-hooks.js';
import { FerryRefusal, type Hooks } from './hooks.js';

/** A hook that has not answered by then has failed (finish: tried again; create: 503). */
const ANSWER_MS = 10_000;

export interface WebhookConfig {
  hookUrl: string | undefined;
  hookCreateUrl: string | undefined;
  hookSecret: string | undefined;
}

export function signatureOf(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function post(url: string, payload: unknown, secret: string | undefined): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'ferry-signature': signatureOf(body, secret) } : {}) },
    body,
    signal: AbortSignal.timeout(ANSWER_MS),
  });
}

export function webhooks(config: WebhookConfig): { hooks: Hooks; onUploadFinish?: OnUploadFinish } {
  const { hookUrl, hookCreateUrl, hookSecret } = config;
  const onUploadFinish: OnUploadFinish | undefined = hookUrl === undefined ? undefined : async (upload) => {
    const { id, owner, name, size, type, metadata, verified, sha256, completedAt } = upload;
    const answer = await post(hookUrl, { event: 'upload.finished', upload: { id, owner, name, size, type, metadata, verified, sha256, completedAt } }, hookSecret);
    await answer.arrayBuffer().catch(() => undefined);
    if (!answer.ok) throw new Error(`HOOK_URL answered ${answer.status}`);
  };
  const hooks: Hooks = hookCreateUrl === undefined ? {} : {
    async onUploadCreate(upload) {
      const answer = await post(hookCreateUrl, { event: 'upload.create', upload }, hookSecret).catch(() => {
        throw new FerryRefusal(503, 'The application that decides on uploads did not answer; try again shortly');
      });
      if (answer.ok) return void (await answer.arrayBuffer().catch(() => undefined));
      const title = (await answer.text().catch(() => '')).trim().slice(0, 200) || 'The application refused this upload';
      throw new FerryRefusal(answer.status >= 400 && answer.status <= 599 ? answer.status : 502, title);
    },
  };
  return { hooks, ...(onUploadFinish ? { onUploadFinish } : {}) };
}
