// The storage port's contract as tests, run against every store (issue 6): whatever
// keeps the bytes, held offsets, resumes across processes, digests, completion,
// owners, removal and expiry must behave the same. Each store's *.test.ts calls this.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { runningHash } from '../hash-thread.js';
import { DigestMismatch, type Held, type UploadInfo, type UploadStore } from '../store/port.js';
import { MiB, randomFile, sha256 } from './helpers.js';
import { checkedMarkConformance } from './store-conformance-checked.js';

export interface StoreUnderTest {
  store: UploadStore;
  /** The same backing data seen by a fresh store, as after a process restart. */
  reopen(): Promise<UploadStore>;
  cleanup(): Promise<void>;
}

const ownerKey = (name: string) => createHash('sha256').update(name).digest('hex');
const ALICE = ownerKey('alice');
const BOB = ownerKey('bob');
const info = (size: number | undefined, name = 'clip.mp4'): UploadInfo => ({ size, name, type: 'video/mp4' });

async function downloaded(store: UploadStore, owner: string, id: string): Promise<Buffer | undefined> {
  const download = await store.download(owner, id);
  if (!download) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of download.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What the store holds, leaving out the checked mark that only some stores keep (tested on its own below). */
async function heldOf(store: UploadStore, owner: string, id: string): Promise<Omit<Held, 'checked'>> {
  const { checked: _, ...held } = await store.held(owner, id);
  return held;
}

/** Append `bytes` in one opened session and make them durable. */
async function appendAll(store: UploadStore, owner: string, id: string, size: number | undefined, pieces: Buffer[], restart = false): Promise<number> {
  const upload = await store.open(owner, id, info(size), restart);
  try {
    await upload.write(pieces);
    await upload.sync();
    return upload.offset;
  } finally {
    await upload.close();
  }
}

export function storeConformance(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`storage port conformance: ${name}`, () => {
    const withStore = (test: (subject: StoreUnderTest) => Promise<void>) => async () => {
      const subject = await make();
      try {
        await test(subject);
      } finally {
        await subject.cleanup();
      }
    };

    it('holds nothing for an unknown id, and says it is unknown', withStore(async ({ store }) => {
      assert.deepEqual(await heldOf(store, ALICE, 'nothing'), { offset: 0, size: undefined, complete: false, unknown: true });
      assert.equal(await store.download(ALICE, 'nothing'), undefined);
      assert.deepEqual(await store.list(ALICE), []);
      await appendAll(store, ALICE, 'empty-but-known', undefined, []);
      assert.deepEqual(await heldOf(store, ALICE, 'empty-but-known'), { offset: 0, size: undefined, complete: false }, 'an upload with no bytes yet is known');
    }));

    it('appends across opens and processes, and reports the exact offset and size', withStore(async ({ store, reopen }) => {
      const file = randomFile(3_000_000);
      assert.equal(await appendAll(store, ALICE, 'clip', file.length, [file.subarray(0, 700_000), file.subarray(700_000, 1_000_000)]), 1_000_000);
      assert.deepEqual(await heldOf(store, ALICE, 'clip'), { offset: 1_000_000, size: file.length, complete: false });
      const later = await reopen();
      assert.deepEqual(await heldOf(later, ALICE, 'clip'), { offset: 1_000_000, size: file.length, complete: false });
      const upload = await later.open(ALICE, 'clip', info(file.length), false);
      assert.equal(upload.offset, 1_000_000);
      await upload.write([file.subarray(1_000_000)]);
      const done = await upload.complete();
      await upload.close();
      assert.equal(done.sha256, sha256(file), 'the digest spans both processes');
      assert.equal(done.size, file.length);
      assert.equal(done.verified, false);
      assert.deepEqual(await heldOf(later, ALICE, 'clip'), { offset: file.length, size: file.length, complete: true });
      assert.equal(sha256((await downloaded(later, ALICE, 'clip'))!), sha256(file));
    }));

    it('keeps the client\'s metadata with the upload, across opens, and lists it with the completed file', withStore(async ({ store, reopen }) => {
      const metadata = { filename: 'scan.dcm', patient: 'Ünïcode 患者' };
      const first = await store.open(ALICE, 'with-metadata', { ...info(10), metadata }, false);
      await first.write([Buffer.from('01234')]);
      await first.sync();
      await first.close();
      const again = await (await reopen()).open(ALICE, 'with-metadata', info(10), false);
      await again.write([Buffer.from('56789')]);
      const done = await again.complete();
      await again.close();
      assert.deepEqual(done.metadata, metadata);
      assert.deepEqual((await store.list(ALICE)).find((file) => file.id === 'with-metadata')?.metadata, metadata);
    }));

    it('completes as verified only when the expected digest matches, and empties the upload when not', withStore(async ({ store }) => {
      const file = randomFile(200_000);
      const good = await store.open(ALICE, 'good', info(file.length), false);
      await good.write([file]);
      const listed = await good.complete(createHash('sha256').update(file).digest());
      await good.close();
      assert.equal(listed.verified, true);

      const bad = await store.open(ALICE, 'bad', info(file.length), false);
      await bad.write([file]);
      await assert.rejects(bad.complete(Buffer.alloc(32)), DigestMismatch);
      await bad.close();
      assert.deepEqual(await heldOf(store, ALICE, 'bad'), { offset: 0, size: file.length, complete: false });
      assert.deepEqual((await store.list(ALICE)).map((each) => each.id), ['good']);
    }));

    checkedMarkConformance(withStore);

    it('holds a file of several parts across opens, and truncates back to where it was opened', withStore(async ({ store, reopen }) => {
      const file = randomFile(13 * MiB);
      assert.equal(await appendAll(store, ALICE, 'big', file.length, [file.subarray(0, 2 * MiB), file.subarray(2 * MiB, 6 * MiB)]), 6 * MiB);
      const later = await reopen();
      assert.equal((await later.held(ALICE, 'big')).offset, 6 * MiB);
      const upload = await later.open(ALICE, 'big', info(file.length), false);
      await upload.write([file.subarray(6 * MiB, 12 * MiB)]);
      await upload.truncate(6 * MiB); // a Content-Digest mismatch drops the whole append
      assert.equal(upload.offset, 6 * MiB);
      assert.equal((await (await reopen()).held(ALICE, 'big')).offset, 6 * MiB);
      await upload.write([file.subarray(6 * MiB, 9 * MiB), file.subarray(9 * MiB)]);
      const done = await upload.complete();
      await upload.close();
      assert.equal(done.sha256, sha256(file));
      assert.equal(sha256((await downloaded(later, ALICE, 'big'))!), sha256(file));
    }));

    it('keeps the completed file whole while other readers (another instance\'s status polls) race its completion', withStore(async ({ store, reopen }) => {
      // The small file many times over: the window between its completion's record and the move is narrow.
      const sizes = [...Array.from({ length: 20 }, () => 3000), 7 * MiB];
      for (const [round, size] of sizes.entries()) {
        const file = randomFile(size);
        const id = `raced-${round}`;
        const upload = await store.open(ALICE, id, info(file.length), false);
        await upload.write([file]);
        await upload.sync();
        const other = await reopen();
        let polling = true;
        // Several polls at once: one of them is more likely to read the record inside that window.
        const polls = Promise.all(Array.from({ length: 4 }, async () => {
          while (polling) await other.held(ALICE, id);
        }));
        const done = await upload.complete().finally(() => (polling = false));
        await upload.close();
        await polls;
        assert.deepEqual(await heldOf(other, ALICE, id), { offset: size, size, complete: true });
        assert.equal(done.sha256, sha256(file));
        assert.equal(sha256((await downloaded(other, ALICE, id))!), sha256(file));
        assert.deepEqual((await other.list(ALICE)).filter((each) => each.id === id).map((each) => each.size), [size]);
      }
    }));

    it('restarts from 0 when asked, and truncates only backwards', withStore(async ({ store }) => {
      const file = randomFile(50_000);
      await appendAll(store, ALICE, 'r', file.length, [randomFile(30_000)]);
      const upload = await store.open(ALICE, 'r', info(file.length), true);
      assert.equal(upload.offset, 0);
      await upload.write([file.subarray(0, 40_000)]);
      await upload.truncate(25_000);
      await upload.truncate(30_000); // forwards: nothing happens
      assert.equal(upload.offset, 25_000);
      await upload.write([file.subarray(25_000)]);
      const done = await upload.complete();
      await upload.close();
      assert.equal(done.sha256, sha256(file));
    }));

    it('feeds a second digest exactly the bytes of one write', withStore(async ({ store }) => {
      const body = randomFile(1_500_000);
      const upload = await store.open(ALICE, 'd', info(undefined), false);
      await upload.write([randomFile(1000)]);
      const bodyHash = runningHash();
      await upload.write([body.subarray(0, 1_000_000), body.subarray(1_000_000)], bodyHash);
      assert.equal((await bodyHash.digest()).toString('hex'), sha256(body));
      await upload.close();
    }));

    it('stores an empty file', withStore(async ({ store }) => {
      const upload = await store.open(ALICE, 'empty', info(0), false);
      const done = await upload.complete();
      await upload.close();
      assert.equal(done.size, 0);
      assert.equal(done.sha256, sha256(Buffer.alloc(0)));
      assert.equal((await downloaded(store, ALICE, 'empty'))!.length, 0);
    }));

    it('keeps owners apart, even for the same id', withStore(async ({ store }) => {
      await appendAll(store, ALICE, 'same', 10, [Buffer.from('alice-data')]);
      await appendAll(store, BOB, 'same', 20, [Buffer.from('bob')]);
      assert.equal((await store.held(ALICE, 'same')).offset, 10);
      assert.equal((await store.held(BOB, 'same')).offset, 3);
      const upload = await store.open(ALICE, 'same', info(10), false);
      await upload.complete();
      await upload.close();
      assert.equal((await store.list(BOB)).length, 0);
      assert.equal(await store.download(BOB, 'same'), undefined);
      await store.remove(BOB, 'same');
      assert.equal((await store.held(ALICE, 'same')).complete, true);
    }));

    it('treats ids as opaque names, path-like ones included', withStore(async ({ store }) => {
      for (const id of ['../../x', '..', '.', '/etc/passwd', 'a\\b', 'x'.repeat(1024)]) {
        const upload = await store.open(ALICE, id, info(1), false);
        await upload.write([Buffer.from('z')]);
        await upload.complete();
        await upload.close();
      }
      const ids = (await store.list(ALICE)).map((each) => each.id).sort();
      assert.deepEqual(ids, ['../../x', '..', '.', '/etc/passwd', 'a\\b', 'x'.repeat(1024)].sort());
    }));

    it('removes partial and completed uploads', withStore(async ({ store }) => {
      await appendAll(store, ALICE, 'partial', 100, [randomFile(10)]);
      const done = await store.open(ALICE, 'done', info(1), false);
      await done.write([Buffer.from('!')]);
      await done.complete();
      await done.close();
      await store.remove(ALICE, 'partial');
      await store.remove(ALICE, 'done');
      await store.remove(ALICE, 'never-existed');
      assert.equal((await store.held(ALICE, 'partial')).offset, 0);
      assert.equal((await store.held(ALICE, 'done')).complete, false);
      assert.deepEqual(await store.list(ALICE), []);
    }));

    it('counts an owner\'s usage: completed sizes, partial uploads by their declared size or what they hold', withStore(async ({ store }) => {
      await appendAll(store, ALICE, 'declared', 1000, [randomFile(10)]);
      await appendAll(store, ALICE, 'undeclared', undefined, [randomFile(300)]);
      const done = await store.open(ALICE, 'done', info(5), false);
      await done.write([Buffer.from('12345')]);
      await done.complete();
      await done.close();
      await appendAll(store, BOB, 'other-owner', 7000, [randomFile(10)]);
      assert.deepEqual(await store.usage(ALICE, 'asking'), { bytes: 1000 + 300 + 5, partialUploads: 2, files: 1 });
      assert.deepEqual(await store.usage(ALICE, 'declared'), { bytes: 300 + 5, partialUploads: 1, files: 1 }, 'the asking upload is left out');
      assert.deepEqual(await store.usage(ownerKey('nobody'), 'x'), { bytes: 0, partialUploads: 0, files: 0 });
    }));

    it('sweeps stale partial uploads, never busy ones nor completed files', withStore(async ({ store }) => {
      await appendAll(store, ALICE, 'stale', 100, [randomFile(10)]);
      await appendAll(store, ALICE, 'busy', 100, [randomFile(10)]);
      const done = await store.open(ALICE, 'kept', info(1), false);
      await done.write([Buffer.from('!')]);
      await done.complete();
      await done.close();
      const removed = await store.sweep(Date.now() + 60_000, async (_owner, id, remove) => id !== 'busy' && remove());
      assert.equal(removed, 1);
      assert.equal((await store.held(ALICE, 'stale')).offset, 0);
      assert.equal((await store.held(ALICE, 'busy')).offset, 10);
      assert.equal((await store.held(ALICE, 'kept')).complete, true);
    }));
  });
}
