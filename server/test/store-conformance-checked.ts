// The checked mark (issue 32): how far every byte was checked against a client's digest, kept by
// the stores that keep it (the filesystem's, and S3's since issue 32), with what proves the rest.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import type { UploadInfo } from '../store/port.js';
import { MiB, randomFile } from './helpers.js';
import type { StoreUnderTest } from './store-conformance.js';

const ALICE = createHash('sha256').update('alice').digest('hex');
const info = (size: number | undefined): UploadInfo => ({ size, name: 'clip.mp4', type: 'video/mp4' });
const sha = (bytes: Buffer): Buffer => createHash('sha256').update(bytes).digest();

type WithStore = (test: (subject: StoreUnderTest) => Promise<void>) => () => Promise<void>;

/**
 * An upload whose first MiB was checked, then writes up to each of `cuts`, never checked, left closed. False
 * when the store keeps no mark (it verifies files by their whole-file digest only).
 */
async function leaveCutBody(store: StoreUnderTest['store'], name: string, file: Buffer, cuts: number[]): Promise<boolean> {
  const upload = await store.open(ALICE, name, info(file.length), false);
  if (upload.checked === undefined) {
    await upload.close();
    return false;
  }
  await upload.write([file.subarray(0, MiB)]);
  await upload.sync();
  await upload.markChecked!(MiB);
  let from = MiB;
  for (const end of cuts) {
    await upload.write([file.subarray(from, end)]);
    from = end;
  }
  await upload.sync();
  await upload.close();
  return true;
}

export function checkedMarkConformance(withStore: WithStore): void {
  it('keeps how far bytes were checked, where the store keeps it: lowered before a truncation, reset by a restart, and enough to verify', withStore(async ({ store, reopen }) => {
    const file = randomFile(3 * MiB);
    const upload = await store.open(ALICE, 'checked', info(file.length), false);
    if (upload.checked === undefined || !upload.markChecked || !upload.hashStored) {
      await upload.close();
      return; // this store verifies files by their whole-file digest only
    }
    await upload.write([file.subarray(0, 2 * MiB)]);
    await upload.sync();
    await upload.markChecked(MiB);
    assert.equal(upload.checked, MiB);
    assert.deepEqual(await upload.hashStored(MiB, 2 * MiB), sha(file.subarray(MiB, 2 * MiB)));
    await upload.truncate(MiB / 2);
    await upload.close();
    assert.equal((await (await reopen()).held(ALICE, 'checked')).checked, MiB / 2, 'a truncation lowers the mark first');

    const again = await store.open(ALICE, 'checked', info(file.length), false);
    await again.write([file.subarray(MiB / 2)]);
    await again.sync();
    await again.markChecked!(file.length);
    const listed = await again.complete();
    await again.close();
    assert.equal(listed.verified, true, 'every byte checked: verified without a whole-file digest');

    const restarted = await store.open(ALICE, 'other', info(file.length), false);
    await restarted.write([file.subarray(0, MiB)]);
    await restarted.sync();
    await restarted.markChecked!(MiB);
    await restarted.close();
    const fresh = await store.open(ALICE, 'other', info(file.length), true);
    assert.equal(fresh.checked, 0, 'a restart forgets the mark');
    await fresh.write([file]);
    const unchecked = await fresh.complete();
    await fresh.close();
    assert.equal(unchecked.verified, false);
  }));

  it('proves the bytes a cut body left past the checked mark, even those an object store already sent on as parts', withStore(async ({ store, reopen }) => {
    const file = randomFile(13 * MiB);
    // A body cut after 11 MiB, never checked: on S3 (5 MiB parts) two parts went up meanwhile, one from inside the mark's.
    if (!(await leaveCutBody(store, 'cut', file, [6 * MiB, 12 * MiB]))) return;

    const again = await (await reopen()).open(ALICE, 'cut', info(file.length), false);
    assert.equal(again.checked, MiB, 'the mark stays where the checked bytes end, across a restart');
    assert.deepEqual(await again.hashStored!(MiB, 12 * MiB), sha(file.subarray(MiB, 12 * MiB)), 'the cut bytes hash as they are');
    await again.markChecked!(12 * MiB);
    await again.write([file.subarray(12 * MiB)]);
    await again.sync();
    await again.markChecked!(file.length);
    const listed = await again.complete();
    await again.close();
    assert.equal(listed.verified, true, 'every byte checked: verified without a whole-file digest');
    assert.equal(listed.sha256, sha(file).toString('hex'));
  }));

  it('starts over when a refused proof reaches into parts it cannot take back, or truncates to the mark', withStore(async ({ store }) => {
    const file = randomFile(8 * MiB);
    if (!(await leaveCutBody(store, 'refused', file, [7 * MiB]))) return;
    const again = await store.open(ALICE, 'refused', info(file.length), false);
    if (again.canTruncateTo && !again.canTruncateTo(MiB)) {
      assert.ok(again.startOver, 'a store that cannot truncate to its mark can start over');
      await again.startOver();
      assert.equal(again.offset, 0);
      assert.equal(again.checked, 0);
    } else {
      await again.truncate(MiB);
      assert.equal(again.offset, MiB);
    }
    await again.close();
    assert.equal((await store.held(ALICE, 'refused')).offset, again.offset);
  }));
}
