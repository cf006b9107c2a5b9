// The running digest across a worker stop, and the loop's answers to digest mismatches.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Header, Problem } from '../../common/protocol.js';
import { RunningDigest, sha256Field } from '../engine/running-digest.js';
import { runUpload } from '../engine/upload-loop.js';
import { accept, bytes, held, loopSetup as setup, type SeenRequest, said, sourceOf } from './fakes.js';

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest();
const field = (data: Uint8Array) => `sha-256=:${sha(data).toString('base64')}:`;

function problem(type: string, offset?: number, status = 400): Response {
  return new Response(JSON.stringify({ type, status, ...(offset === undefined ? {} : { offset }) }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...(offset === undefined ? {} : { [Header.uploadOffset]: String(offset) }) },
  });
}


describe('running digest', () => {
  it('hashes across a simulated worker stop and resume to the one-shot digest', async () => {
    const data = bytes(3_000_000);
    const first = await RunningDigest.start();
    first.update(data.subarray(0, 1_234_567));
    const saved = first.save(); // what goes to IndexedDB before the worker dies
    const resumed = await RunningDigest.start({ state: new Uint8Array(saved.state), at: saved.at });
    assert.equal(resumed.at, 1_234_567);
    const whole = resumed.digestWith(data.subarray(1_234_567));
    assert.deepEqual(Buffer.from(whole), sha(data));
    assert.equal(resumed.at, 1_234_567, 'digestWith leaves the running digest where it was');
    assert.equal(sha256Field(whole), field(data));
  });
});

describe('upload loop integrity', () => {
  it('sends each chunk with its Content-Digest and the last with the whole file\'s Repr-Digest', async () => {
    const size = 9 * 1024 * 1024 + 3;
    const { network, queue, data, deps } = setup(size);
    network.respondWith('GET', () => held(0));
    for (let i = 0; i < 10; i++) network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    const appends = network.appends();
    for (const append of appends) assert.equal(append.headers[Header.contentDigest], field(append.body!));
    assert.equal(appends.at(-1)!.headers[Header.reprDigest], field(data));
    assert.ok(appends.slice(0, -1).every((append) => append.headers[Header.reprDigest] === undefined));
    assert.equal(queue.records.get('f')?.state, 'done');
  });

  it('re-sends a chunk the server found damaged, from the unchanged offset', async () => {
    const size = 3000;
    const { network, queue, deps } = setup(size);
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', () => problem(Problem.contentDigestMismatch, 0));
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    assert.deepEqual(network.appends().map((append) => append.headers[Header.startByte]), ['0', '0']);
    assert.equal(queue.records.get('f')?.corruptedChunks, 1);
    assert.equal(queue.records.get('f')?.state, 'done');
  });

  it('starts over from 0, saying so, when the whole file fails verification, and gives up after three times', async () => {
    const size = 2000;
    const { network, queue, deps } = setup(size);
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', () => problem(Problem.reprDigestMismatch));
    const messages: string[] = [];
    deps.report = (record) => void (record.notice && messages.push(said(record)!));
    network.respondWith('POST', (request: SeenRequest) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    assert.ok(messages.includes('Verification failed, re-sending.'));
    assert.equal(queue.records.get('f')?.verificationFailures, 1);
    assert.equal(queue.records.get('f')?.state, 'done');

    const stubborn = setup(size);
    stubborn.network.respondWith('GET', () => held(0));
    for (let i = 0; i < 4; i++) stubborn.network.respondWith('POST', () => problem(Problem.reprDigestMismatch));
    await runUpload(await sourceOf(stubborn.deps, 'f'), stubborn.deps, new AbortController().signal);
    assert.equal(stubborn.queue.records.get('f')?.state, 'failed');
    assert.match(said(stubborn.queue.records.get('f')) ?? '', /kept failing verification/);
  });

  it('resumes the digest from its saved state, not from 0, after a stop', async () => {
    const size = 6 * 1024 * 1024;
    const { network, queue, data, deps } = setup(size);
    const half = 4 * 1024 * 1024;
    const before = await RunningDigest.start();
    before.update(data.subarray(0, half));
    const saved = before.save();
    queue.records.set('f', { ...queue.records.get('f')!, hashState: saved.state, hashedTo: saved.at });
    // A file whose first half is unreadable proves the saved state is used instead of rehashing.
    queue.files.set('f', new Blob([new Uint8Array(half), data.subarray(half)]));
    network.respondWith('GET', () => held(half));
    for (let i = 0; i < 4; i++) network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    assert.equal(network.appends().at(-1)!.headers[Header.reprDigest], field(data));
    assert.equal(queue.records.get('f')?.state, 'done');
  });
});

describe('a server that checks every byte by its chunk (X-Upload-Checked)', () => {
  /** A status from a server that keeps how far it checked the bytes. */
  const heldChecked = (offset: number, checked: number) => {
    const answer = held(offset);
    answer.headers.set(Header.uploadChecked, String(checked));
    return answer;
  };
  /** An append accepted, and the completing one said verified. */
  const acceptVerified = (request: SeenRequest, size: number) => {
    const answer = accept(request, size);
    if (answer.headers.get(Header.uploadComplete) === '1') answer.headers.set(Header.uploadVerified, '1');
    return answer;
  };

  it('sends no whole-file digest, sends the first chunk at once and proves it with the second, and the server\'s word makes the file verified', async () => {
    const size = 9 * 1024 * 1024 + 3;
    const { network, queue, deps } = setup(size);
    network.respondWith('GET', () => heldChecked(0, 0));
    for (let i = 0; i < 10; i++) network.respondWith('POST', (request) => acceptVerified(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    const [first, second, ...rest] = network.appends();
    assert.equal(first!.headers[Header.contentDigest], undefined, 'the first chunk waited for no read and hash');
    assert.equal(second!.headers[Header.checkedDigest], field(first!.body!), 'the second proves it');
    for (const append of [second!, ...rest]) assert.equal(append.headers[Header.contentDigest], field(append.body!));
    assert.ok(rest.every((append) => append.headers[Header.checkedDigest] === undefined));
    assert.ok([first!, second!, ...rest].every((append) => append.headers[Header.reprDigest] === undefined));
    assert.match(said(queue.records.get('f')) ?? '', /^Verified/);
  });

  it('is not verified when the completing answer does not say so', async () => {
    const size = 3000;
    const { network, queue, deps } = setup(size);
    network.respondWith('GET', () => heldChecked(0, 0));
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    assert.equal(queue.records.get('f')?.state, 'done');
    assert.doesNotMatch(said(queue.records.get('f')) ?? '', /Verified/);
  });

  it('proves the bytes a cut body left with one digest of them, and sends them again after a refused proof', async () => {
    const size = 3000;
    const { network, queue, data, deps } = setup(size);
    // A cut body left 1000..1700 unchecked.
    network.respondWith('GET', () => heldChecked(1700, 1000));
    // The proof is refused: the server drops those bytes, and says so at the checked offset.
    network.respondWith('POST', () => problem(Problem.checkedDigestMismatch, 1000, 409));
    network.respondWith('POST', (request) => acceptVerified(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    const [first, second] = network.appends();
    assert.equal(first!.headers[Header.startByte], '1700');
    assert.equal(first!.headers[Header.checkedDigest], field(data.subarray(1000, 1700)));
    assert.equal(second!.headers[Header.startByte], '1000');
    assert.equal(second!.headers[Header.checkedDigest], undefined);
    assert.equal(said(queue.records.get('f')), "Verified: the server's copy matches this file byte for byte. 1 damaged chunk was caught and sent again.");
  });

  it('sends a run\'s first chunk unhashed once: after its proof is refused, the chunks carry their digests', async () => {
    const size = 3 * 1024 * 1024;
    const { network, queue, data, deps } = setup(size);
    network.respondWith('GET', () => heldChecked(0, 0));
    network.respondWith('POST', (request) => accept(request, size)); // the first MiB, unhashed (damaged on the way)
    network.respondWith('POST', () => problem(Problem.checkedDigestMismatch, 0, 409));
    for (let i = 0; i < 4; i++) network.respondWith('POST', (request) => acceptVerified(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    const [unhashed, proving, ...again] = network.appends();
    assert.equal(unhashed!.headers[Header.contentDigest], undefined);
    assert.equal(proving!.headers[Header.checkedDigest], field(data.subarray(0, 1024 * 1024)));
    assert.equal(again[0]!.headers[Header.startByte], '0');
    assert.ok(again.every((append) => append.headers[Header.contentDigest] === field(append.body!)), 'no second unhashed chunk');
    assert.match(said(queue.records.get('f')) ?? '', /^Verified: .* 1 damaged chunk was caught/);
  });

  it('keeps the whole-file digest when more is unchecked than one read should prove', async () => {
    const size = 70 * 1024 * 1024;
    const { network, data, deps } = setup(size);
    network.respondWith('GET', () => heldChecked(size - 1000, 0));
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    const last = network.appends().at(-1)!;
    assert.equal(last.headers[Header.checkedDigest], undefined);
    assert.equal(last.headers[Header.reprDigest], field(data));
  });
});
