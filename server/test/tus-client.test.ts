// The most used resumable client, unchanged: tus-js-client in Node with a bearer token, through
// a proxy that cuts every connection mid-upload, and a new client instance that resumes from
// the upload URL the first one stored. The listing's SHA-256 must be the file's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tus from 'tus-js-client';
import { FaultProxy } from '../../testkit/fault-proxy.js';
import { forkFerry, type FerryProcess } from '../../testkit/ferry.js';
import { Client, MiB, randomFile, sha256, sleep } from './helpers.js';

type Protocol = 'tus-v1' | 'ietf-draft-05';

describe('tus-js-client against Ferry', () => {
  let ferry: FerryProcess;
  let proxy: FaultProxy;
  before(async () => {
    ferry = await forkFerry();
    proxy = await new FaultProxy(ferry.port).listen();
  });
  after(async () => {
    await proxy.close();
    await ferry.close();
  });

  /** Upload `file` with a fresh tus-js-client; resolves with its URL once it succeeds, or once `stopAt` bytes went and it was aborted. */
  function runClient(file: Buffer, token: string, protocol: Protocol, options: { uploadUrl?: string; stopAt?: number; overridePatchMethod?: boolean } = {}): Promise<{ url: string; finished: boolean }> {
    return new Promise((resolve, reject) => {
      // tus-js-client 4 takes `protocol` ('tus-v1', 'ietf-draft-05') though its types do not list it yet.
      const upload = new tus.Upload(file, {
        endpoint: `${proxy.url}/uploads/`,
        ...({ protocol } as object),
        headers: { authorization: `Bearer ${token}` },
        metadata: { filename: 'field-video.mp4', filetype: 'video/mp4' },
        chunkSize: 4 * MiB,
        retryDelays: [0, 100, 300, 500, 1000, 1000, 2000, 2000, 3000],
        ...(options.uploadUrl ? { uploadUrl: options.uploadUrl } : {}),
        ...(options.overridePatchMethod ? { overridePatchMethod: true } : {}),
        onProgress: (sent) => {
          if (options.stopAt !== undefined && sent >= options.stopAt) {
            void upload.abort().then(() => resolve({ url: upload.url!, finished: false }));
            options.stopAt = undefined;
          }
        },
        onSuccess: () => resolve({ url: upload.url!, finished: true }),
        onError: reject,
      });
      upload.start();
    });
  }

  for (const protocol of ['tus-v1', 'ietf-draft-05'] as const) {
    it(`${protocol}: cut connections, a new client instance resuming from the stored URL, the listing's SHA-256 exact`, async () => {
      const browser = new Client(ferry.url);
      await browser.ensureOwner();
      const { token } = JSON.parse((await browser.request('POST', '/tokens')).text) as { token: string };
      const file = randomFile(24 * MiB + 77);
      proxy.throttle(8 * MiB);

      let cutting = true;
      let cuts = 0;
      const cutter = (async () => {
        while (cutting) {
          await sleep(600);
          if (cutting) cuts += (proxy.cutAll(), 1);
        }
      })();
      const first = await runClient(file, token, protocol, { stopAt: 10 * MiB });
      assert.equal(first.finished, false);
      // A new process would read the URL from its storage; here it is handed over, as tus-js-client's urlStorage would.
      const second = await runClient(file, token, protocol, { uploadUrl: first.url });
      cutting = false;
      await cutter;
      proxy.throttle(undefined);
      assert.ok(cuts >= 3, `every connection was cut ${cuts} times during the uploads`);
      assert.equal(second.finished, true);
      assert.equal(second.url, first.url, 'the same upload was resumed, not a new one');

      const id = first.url.split('/').pop()!;
      const [listed] = (await browser.list()).filter((entry) => entry.id === id);
      assert.deepEqual([listed?.name, listed?.size, listed?.sha256], ['field-video.mp4', file.length, sha256(file)]);
      assert.equal(await browser.storedSha(id), sha256(file));
    });
  }

  it('tus-v1 with overridePatchMethod: appends as POST + X-HTTP-Method-Override: PATCH (issue 28, Info)', async () => {
    const browser = new Client(ferry.url);
    await browser.ensureOwner();
    const { token } = JSON.parse((await browser.request('POST', '/tokens')).text) as { token: string };
    const file = randomFile(9 * MiB + 5);
    const done = await runClient(file, token, 'tus-v1', { overridePatchMethod: true });
    assert.equal(done.finished, true);
    assert.equal(await browser.storedSha(done.url.split('/').pop()!), sha256(file));
  });
});
