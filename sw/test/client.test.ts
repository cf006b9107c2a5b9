// connectFerry's refusals, with the browser's objects stubbed: no worker, and inputs it cannot send.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { connectFerry } from '../../src/client/connect.js';

const globals = globalThis as Record<string, unknown>;
const saved = { navigator: Object.getOwnPropertyDescriptor(globalThis, 'navigator'), window: globals.window, document: globals.document };

/** A page whose worker answers every message with `reply`, and records what it was sent. */
function stubPage(registration: unknown): unknown[] {
  const target = { addEventListener() {}, removeEventListener() {} };
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: { serviceWorker: { ...target, startMessages() {}, getRegistration: async () => registration, ready: Promise.resolve(registration) } },
  });
  globals.window = target;
  globals.document = { ...target, visibilityState: 'visible' };
  return [];
}

afterEach(() => {
  if (saved.navigator) Object.defineProperty(globalThis, 'navigator', saved.navigator);
  else delete globals.navigator;
  globals.window = saved.window;
  globals.document = saved.document;
});

describe('connectFerry', () => {
  it('rejects when no worker is registered, saying how to register one', async () => {
    stubPage(undefined);
    await assert.rejects(connectFerry(), /no service worker is registered for this page\. Register one that calls installFerry\(\) first/);
  });

  it('refuses what is not a File or Blob, and metadata or headers no protocol can carry, before sending anything', async () => {
    const sent: unknown[] = [];
    const active = {
      postMessage(message: { type: string }, [port]: [MessagePort]) {
        sent.push(message.type);
        port.postMessage(message.type === 'ferry:hello' ? [] : undefined);
      },
    };
    stubPage({ active });
    const client = await connectFerry();
    try {
      await assert.rejects(client.add(['report.pdf' as never]), /add: each file must be a File or a Blob, got string/);
      await assert.rejects(client.add(new Blob(['x']), { metadata: { 'case number': '7' } }), /add: metadata key "case number" cannot be carried/);
      await assert.rejects(client.add(new Blob(['x']), { headers: { 'Upload-Offset': '0' } }), /add: the header "Upload-Offset" is written by the upload protocol itself/);
      await assert.rejects(client.setHeaders({ authorization: 'Bearer a\nb' }), /setHeaders: the header "authorization" has a line break/);
      assert.deepEqual(sent.filter((type) => type !== 'ferry:hello'), [], 'nothing reached the worker');
    } finally {
      client.close();
    }
  });
});
