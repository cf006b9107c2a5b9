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

  it('not for a complete upload', async () => {
    const writers = new WriterRegistry();
    const store = { held: async () => ({ offset: 5000, size: 5000, complete: true, unknown: false }) };
    await resumeState({ writers, store } as unknown as AppContext, 'owner', 'file', true);
    assert.equal(await writers.promised(key), undefined);
  });
});
