// Progress polls during a live append share one recent sync (issue 15): a poll storm costs the disk
// a few fdatasync calls, not one each.
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { Client, MiB, collectReply, digestOf, eventually, openRawAppend, openRawUpload, randomFile, sha256, startServer, tempDir, writeAll, type TestServer } from './helpers.js';

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

describe('a progress poll that races the start of an append', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  // Seen in CI (issue 32): a poll found no live append, then read the store's length just after one
  // began, and reported bytes still waiting on their Content-Digest; the next poll went back.
  it('never reports bytes a live append has not checked, even when it found no append live at first', async () => {
    const client = new Client(server.url);
    const file = randomFile(3 * MiB);
    assert.equal((await client.append('raced', 0, file.subarray(0, MiB), { [Header.fileSize]: String(file.length) })).status, 200);

    // The poll's read of the store waits (a slow disk) until the append has written half its body.
    const store = server.ferry.ctx.store;
    const held = store.held.bind(store);
    let entered!: () => void;
    const pollReading = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    store.held = async (owner, id) => {
      store.held = held;
      entered();
      await released;
      return held(owner, id);
    };
    const poll = client.progress('raced');
    await pollReading;

    const body = file.subarray(MiB, 3 * MiB);
    const socket = await openRawAppend(server.url, {
      cookie: client.cookie!, [Header.fileId]: 'raced', [Header.startByte]: String(MiB), 'content-length': String(body.length), [Header.contentDigest]: digestOf(body),
    });
    const reply = collectReply(socket);
    await writeAll(socket, body.subarray(0, MiB));
    await eventually(async () => ((await client.progress('raced')).headers.get(Header.uploadReceived) === String(2 * MiB) ? true : undefined), 5000, 'half the body to arrive');
    release();
    assert.equal((await poll).offset, MiB, 'the poll reports only checked bytes');

    await writeAll(socket, body.subarray(MiB));
    assert.match(await reply, /^HTTP\/1\.1 200/);
    assert.equal(await client.storedSha('raced'), sha256(file));
  });
});
