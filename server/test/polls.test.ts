// Progress polls during a live append share one recent sync (issue 15): a poll storm costs the disk
// a few fdatasync calls, not one each.
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, MiB, collectReply, eventually, openRawUpload, randomFile, sha256, startServer, tempDir, writeAll, type TestServer } from './helpers.js';

/** Count every FileHandle.datasync in this process (the in-process server's included). */
async function countDatasyncs(): Promise<{ count(): number; restore(): void }> {
  const probe = await open(path.join(await tempDir(), 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { datasync(this: unknown): Promise<void> };
  await probe.close();
  const original = prototype.datasync;
  let calls = 0;
  prototype.datasync = function datasync(this: unknown) {
    calls += 1;
    return original.call(this);
  };
  return { count: () => calls, restore: () => void (prototype.datasync = original) };
}

describe('progress polls', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  it('share one recent sync: 300 polls of a live append cost a handful of fdatasync calls', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const file = randomFile(4 * MiB);
    const socket = await openRawUpload(client, 'polled-hard', file.length);
    const reply = collectReply(socket);
    await writeAll(socket, file.subarray(0, 2 * MiB));
    await eventually(async () => ((await client.progress('polled-hard')).offset === 2 * MiB ? true : undefined), 5000, 'the bytes to arrive');

    const syncs = await countDatasyncs();
    try {
      const started = performance.now();
      for (let poll = 0; poll < 300; poll++) assert.equal((await client.progress('polled-hard')).offset, 2 * MiB);
      const seconds = (performance.now() - started) / 1000;
      console.log(`300 progress polls in ${seconds.toFixed(2)} s: ${syncs.count()} fdatasync calls`);
      assert.ok(syncs.count() <= Math.ceil(seconds / 0.25) + 2, `${syncs.count()} syncs for 300 polls in ${seconds.toFixed(2)} s`);
    } finally {
      syncs.restore();
    }
    await writeAll(socket, file.subarray(2 * MiB));
    assert.match(await reply, /^HTTP\/1\.1 200/);
    assert.equal(await client.storedSha('polled-hard'), sha256(file));
  });
});
