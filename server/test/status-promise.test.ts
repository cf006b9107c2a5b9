// The order of a status's promise against the upload's lock (issue 32). Pure logic: the writers
// registry is the real one, the store a stand-in that only tells an offset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uploadKey, type AppContext } from '../context.js';
import { resumeState } from '../upload-resource.js';
import { WriterRegistry } from '../writers.js';

const key = uploadKey('owner', 'file');

function contextHolding(offset: number): { ctx: AppContext; writers: WriterRegistry } {
  const writers = new WriterRegistry();
  const store = { held: async () => ({ offset, size: 5000, complete: false, unknown: false }) };
  return { ctx: { writers, store } as unknown as AppContext, writers };
}

describe('a status promises the offset it answers', () => {
  it('when no append runs', async () => {
    const { ctx, writers } = contextHolding(1000);
    assert.equal((await resumeState(ctx, 'owner', 'file', true)).offset, 1000);
    assert.equal(await writers.promised(key), 1000);
  });

  // Chaos seed 5, round 32: a status waited behind a live append while a newer append queued behind
  // the status. The status answered without promising, so the newer append kept an older promise
  // and took back the bytes the status had just reported.
  it('even when a newer append waits behind it for the lock', async () => {
    const { ctx, writers } = contextHolding(1000);
    const live = await writers.acquire(key);
    const status = resumeState(ctx, 'owner', 'file', true);
    await new Promise((resolve) => setImmediate(resolve));
    const newer = writers.acquire(key);
    live.release();
    assert.equal((await status).offset, 1000);
    const lease = await newer;
    assert.equal(await writers.promised(key), 1000, 'the newer append finds the promise the status made');
    lease.release();
  });

  // Chaos seed 12 on the cluster: the status read the offset and promised it outside the lock, so an
  // append ran in between, ended the promise, and the status then promised an offset already passed.
  it('holds the lock from its read until its promise, so no append runs in between', async () => {
    const writers = new WriterRegistry();
    let readDone!: () => void;
    const store = { held: async () => {
      await new Promise<void>((resolve) => (readDone = resolve));
      return { offset: 1000, size: 5000, complete: false, unknown: false };
    } };
    const status = resumeState({ writers, store } as unknown as AppContext, 'owner', 'file', true);
    await new Promise((resolve) => setImmediate(resolve));
    let appendRan = false;
    const append = writers.acquire(key).then((lease) => ((appendRan = true), lease));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(appendRan, false, 'the append waits while the status reads');
    readDone();
    await status;
    const lease = await append;
    assert.equal(await writers.promised(key), 1000);
    lease.release();
  });

  it('not for a complete upload', async () => {
    const writers = new WriterRegistry();
    const store = { held: async () => ({ offset: 5000, size: 5000, complete: true, unknown: false }) };
    await resumeState({ writers, store } as unknown as AppContext, 'owner', 'file', true);
    assert.equal(await writers.promised(key), undefined);
  });
});
