// The filesystem store on its own: crash windows and digests across restarts.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FsStore } from '../store/fs-store.js';
import { randomFile, sha256, tempDir } from './helpers.js';

const OWNER = 'a'.repeat(64);
const info = (size: number) => ({ size, name: 'clip.mp4', type: 'video/mp4' });

describe('filesystem store', () => {
  it('computes the right digest when a restart falls between appends', async () => {
    const dir = await tempDir();
    const file = randomFile(3_000_000);
    const before = new FsStore(dir);
    await before.init();
    const first = await before.open(OWNER, 'clip', info(file.length), false);
    await first.write([file.subarray(0, 1_000_000), file.subarray(1_000_000, 1_234_567)]);
    await first.sync();
    await first.close();

    const after = new FsStore(dir); // a new process: no running hash in memory
    const second = await after.open(OWNER, 'clip', info(file.length), false);
    assert.equal(second.offset, 1_234_567);
    await second.write([file.subarray(1_234_567)]);
    const done = await second.complete();
    await second.close();
    assert.equal(done.sha256, sha256(file));
    const download = await after.download(OWNER, 'clip');
    const chunks: Buffer[] = [];
    for await (const chunk of download!.stream) chunks.push(chunk as Buffer);
    assert.equal(sha256(Buffer.concat(chunks)), sha256(file));
  });

  it('finishes a completion that a crash cut between recording the digest and the move', async () => {
    const dir = await tempDir();
    const file = randomFile(100_000);
    const store = new FsStore(dir);
    await store.init();
    const upload = await store.open(OWNER, 'scan', info(file.length), false);
    await upload.write([file]);
    await upload.sync();
    await upload.close();
    // What complete() writes first, as if the process died right after it.
    const [partial] = await readdir(path.join(dir, 'partial', OWNER));
    const metaFile = path.join(dir, 'partial', OWNER, partial!, 'meta.json');
    const meta = JSON.parse(await readFile(metaFile, 'utf8'));
    await writeFile(metaFile, JSON.stringify({ ...meta, size: file.length, sha256: sha256(file), completedAt: new Date().toISOString() }));

    const restarted = new FsStore(dir);
    assert.deepEqual(await restarted.list(OWNER), [], 'not listed while the move is unfinished');
    const held = await restarted.held(OWNER, 'scan');
    assert.deepEqual(held, { offset: file.length, size: file.length, complete: true });
    assert.equal((await restarted.list(OWNER))[0]?.sha256, sha256(file));
    assert.deepEqual(await readdir(path.join(dir, 'partial')), [], 'the owner\'s partial directory went with its last upload');
  });

  it('removes an owner\'s directories once their last upload is cancelled, completed or swept', async () => {
    const dir = await tempDir();
    const store = new FsStore(dir);
    await store.init();
    const write = async (id: string, size: number, bytes: number) => {
      const upload = await store.open(OWNER, id, info(size), false);
      await upload.write([randomFile(bytes)]);
      if (bytes === size) await upload.complete();
      await upload.close();
    };
    await write('cancelled', 100, 10);
    await write('kept-partial', 100, 10);
    await store.remove(OWNER, 'cancelled');
    assert.deepEqual(await readdir(path.join(dir, 'partial')), [OWNER], 'another partial upload keeps it');
    await write('done', 10, 10);
    await store.remove(OWNER, 'done');
    assert.deepEqual(await readdir(path.join(dir, 'complete')), [], 'the last completed file removed takes the directory');
    assert.equal(await store.sweep(Date.now() + 60_000, async (_owner, _id, remove) => remove()), 1);
    assert.deepEqual(await readdir(path.join(dir, 'partial')), [], 'the last partial upload swept takes the directory');
    await write('again', 10, 10);
    assert.equal((await store.list(OWNER))[0]?.id, 'again', 'and it comes back when needed');
  });

  it('keeps an exact offset when a write fails part-way', async () => {
    const dir = await tempDir();
    const store = new FsStore(dir);
    await store.init();
    const upload = await store.open(OWNER, 'short', info(10), false);
    await upload.write([Buffer.from('hello')]);
    await upload.close();
    // A write on a closed handle fails; nothing may be counted.
    await assert.rejects(upload.write([Buffer.from('world')]));
    assert.equal(upload.offset, 5);
    assert.equal((await store.held(OWNER, 'short')).offset, 5);
  });
});
