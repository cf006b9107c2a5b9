// The loop against a scripted network: 409s, 5xx, network errors, stalls, pauses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Header, Problem } from '../../common/protocol.js';
import { runUpload } from '../engine/upload-loop.js';
import { accept, conflict, hang, held, loopSetup as setup, ScriptedNetwork, said, sourceOf } from './fakes.js';


/** The bytes the appends carried, laid out at their X-Start-Byte. */
function reassemble(network: ScriptedNetwork, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (const append of network.appends()) out.set(append.body ?? new Uint8Array(0), Number(append.headers[Header.startByte]));
  return out;
}

describe('upload loop', () => {
  it('probes, sends Blob slices from the server offset, and finishes done with the file dropped', async () => {
    const size = 9 * 1024 * 1024 + 5;
    const { network, queue, data, deps } = setup(size);
    network.respondWith('GET', () => held(0));
    for (let i = 0; i < 10; i++) network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    assert.equal(queue.records.get('f')?.state, 'done');
    assert.equal(queue.records.get('f')?.offset, size);
    assert.equal(queue.files.has('f'), false, 'the stored File is dropped, the record kept');
    assert.deepEqual(reassemble(network, size), data);
    const first = network.appends()[0]!;
    assert.equal(first.headers[Header.fileSize], String(size));
    assert.equal(first.headers[Header.fileName], encodeURIComponent('f.bin'));
  });

  it('resyncs from the offset a 409 carries', async () => {
    const size = 3000;
    const { network, data, deps } = setup(size);
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', () => conflict(1200));
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    const starts = network.appends().map((append) => Number(append.headers[Header.startByte]));
    assert.deepEqual(starts, [0, 1200]);
    assert.deepEqual(network.appends()[1]!.body, data.subarray(1200));
  });

  it('marks every append X-No-Restart, so a resent first append can never restart the upload', async () => {
    const size = 3000;
    const { network, deps } = setup(size);
    network.respondWith('GET', () => held(0));
    // The server already holds the first 1000 bytes (our first append, resent by the browser): 409, carry on.
    network.respondWith('POST', () => conflict(1000));
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    const appends = network.appends();
    assert.deepEqual(appends.map((append) => append.headers[Header.startByte]), ['0', '1000']);
    assert.ok(appends.every((append) => append.headers[Header.noRestart] === '1'));
  });

  it('backs off on a 5xx, then asks the server again instead of trusting the saved offset', async () => {
    const size = 3000;
    const { network, queue, deps, sleeps } = setup(size);
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', () => new Response('the server is restarting', { status: 503 }));
    network.respondWith('GET', () => held(700)); // the server kept part of the failed request
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    assert.deepEqual(network.appends().map((append) => append.headers[Header.startByte]), ['0', '700']);
    assert.equal(sleeps.length, 1);
    const waiting = queue.history.find((record) => record.state === 'waiting-for-network');
    assert.match(said(waiting) ?? '', /HTTP 503/);
    assert.equal(waiting?.failures, 1);
    assert.equal(queue.records.get('f')?.state, 'done');
  });

  it('waits longer after each network error in a row, and resets once the offset moves', async () => {
    const size = 2000;
    const { network, queue, deps, sleeps } = setup(size);
    const down = () => Promise.reject(new TypeError('Failed to fetch'));
    network.respondWith('GET', down).respondWith('GET', down).respondWith('GET', down);
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    assert.deepEqual(sleeps.map((ms) => Math.round(ms / 10) * 10), [250, 1000, 2000], 'a quick first retry, then each wait doubles (give or take the millisecond spent between)');
    assert.equal(queue.records.get('f')?.state, 'done');
    assert.equal(queue.records.get('f')?.failures, 0);
  });

  it('fails on a 4xx other than 409, keeping the server\'s reason for the UI', async () => {
    const { network, queue, deps } = setup(5000);
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', () => new Response('uploads are limited to 4000 bytes\n', { status: 413, headers: { [Header.uploadLimit]: '4000' } }));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    const record = queue.records.get('f')!;
    assert.equal(record.state, 'failed');
    assert.equal(said(record), 'This file is too large for the server: it accepts files of up to 4.0 kB.');
  });

  it('fails past a quota with a sentence from the problem\'s facts (any language), else the server\'s own; never sends again', async () => {
    for (const [facts, expected] of [
      [{ quota: 'bytes', limit: 10_000_000, used: 8_000_000, size: 5000 }, 'This file (5.0 kB) would take your files on this server past 10.0 MB: 8.0 MB are in use already. Delete finished files to make room.'],
      [{ quota: 'uploads', limit: 3, used: 3 }, 'You already have 3 unfinished uploads on this server, the most it keeps at once. Let them finish, or cancel some, then try again.'],
      [{}, 'The server\'s own words.'],
    ] as const) {
      const { network, queue, deps, sleeps } = setup(5000);
      network.respondWith('GET', () => held(0));
      network.respondWith('POST', () => new Response(JSON.stringify({ type: Problem.quotaExceeded, status: 413, detail: 'The server\'s own words.', ...facts }), {
        status: 413, headers: { 'content-type': 'application/problem+json' },
      }));
      await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
      const record = queue.records.get('f')!;
      assert.equal(record.state, 'failed');
      assert.equal(said(record), expected);
      assert.equal(network.appends().length, 1);
      assert.equal(sleeps.length, 0, 'no retry is scheduled');
    }
  });

  it('aborts a stalled request and retries it', async () => {
    const size = 4000;
    const { network, queue, deps, sleeps } = setup(size);
    deps.chunkDeadline = () => 50;
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', hang);
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    assert.equal(network.appends()[0]!.signal?.aborted, true, 'the stalled request was aborted');
    assert.equal(sleeps.length, 1);
    assert.equal(queue.records.get('f')?.state, 'done');
  });

  it('polls the server during a long chunk, reports its offset, and aborts when the offset stops moving', async () => {
    const size = 4000;
    const { network, queue, deps } = setup(size);
    deps.pollIntervalMs = 10;
    deps.noProgressMs = 60;
    const reported: number[] = [];
    deps.report = (record) => void reported.push(record.offset);
    let polled = 0;
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', hang);
    // Unscripted polls answer statusOffset: moving at first, then standing still.
    const tick = setInterval(() => (network.statusOffset = Math.min(1500, (polled += 500))), 15);
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    clearInterval(tick);
    assert.ok(reported.some((offset) => offset > 0 && offset < size), `progress during the chunk: ${reported.join(',')}`);
    assert.equal(queue.records.get('f')?.state, 'done');
    assert.equal(network.appends()[1]!.headers[Header.startByte], '1500', 'resumed from the polled server offset');
    // Polls during a chunk are marked progress-only (they must not stop the chunk); the probe before a chunk is plain.
    const requests = network.requests;
    const secondPost = requests.indexOf(network.appends()[1]!);
    const probes = [requests[0]!, requests[secondPost - 1]!];
    assert.deepEqual(probes.map((request) => [request.method, request.headers[Header.progressPoll]]), [['GET', undefined], ['GET', undefined]]);
    const polls = requests.slice(2, secondPost - 1).filter((request) => request.method === 'GET');
    assert.ok(polls.length > 0 && polls.every((request) => request.headers[Header.progressPoll] === '1'), 'every in-chunk poll is a progress poll');
  });

  it('says "Reconnecting…" once the server stops seeing bytes, and at once when a retry begins; never with a speed', async () => {
    const size = 4000;
    const { network, queue, deps } = setup(size);
    deps.pollIntervalMs = 10;
    deps.stalledMs = 40;
    deps.noProgressMs = 150;
    const seen: Array<[string, number, string | undefined]> = [];
    deps.report = (record) => void seen.push([record.state, record.offset, record.notice?.key]);
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', hang);
    let polled = 0;
    const tick = setInterval(() => (network.statusOffset = Math.min(1500, (polled += 500))), 15);
    network.respondWith('POST', (request) => accept(request, size));
    await runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
    clearInterval(tick);
    const stalled = seen.findIndex(([state, , notice]) => state === 'uploading' && notice === 'notice.reconnecting');
    assert.ok(stalled > 0 && seen[stalled]![1] === 1500, `the stall is said while the chunk hangs at the last polled offset: ${JSON.stringify(seen)}`);
    const waiting = seen.findIndex(([state]) => state === 'waiting-for-network');
    assert.ok(waiting > stalled, 'then the stalled request is aborted');
    assert.deepEqual(seen[waiting + 1]?.slice(0, 1).concat(seen[waiting + 1]![2] ?? ''), ['uploading', 'notice.reconnecting'], 'the retry says so before the status answers');
    assert.equal(queue.records.get('f')?.state, 'done');
    assert.notEqual(queue.records.get('f')?.notice?.key, 'notice.reconnecting');
  });

  it('stops quietly when paused mid-request, and a completed server copy needs no bytes', async () => {
    const { network, queue, deps } = setup(4000);
    const pause = new AbortController();
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', (request) => {
      queue.records.set('f', { ...queue.records.get('f')!, state: 'paused' });
      pause.abort();
      return hang(request);
    });
    await runUpload(await sourceOf(deps, 'f'), deps, pause.signal);
    assert.equal(queue.records.get('f')?.state, 'paused', 'a pause is never overwritten');

    const done = setup(4000);
    done.network.respondWith('GET', () => held(4000, true));
    await runUpload(await sourceOf(done.deps, 'f'), done.deps, new AbortController().signal);
    assert.equal(done.network.appends().length, 0);
    assert.equal(done.queue.records.get('f')?.state, 'done');
  });

  it('goes on from the stored copy when the handed File changed on disk, and fails only when no copy is left', async () => {
    const size = 3000;
    const handed = changedOnDisk(size);
    const copied = setup(size);
    copied.network.respondWith('GET', () => held(0));
    copied.network.respondWith('POST', (request) => accept(request, size));
    // The run starts from the File handed over; by the time reading it fails, IndexedDB has committed its copy.
    const useStoredCopy = () => true;
    const source = { ...(await sourceOf(copied.deps, 'f')), file: handed, handed: true };
    await runUpload(source, { ...copied.deps, useStoredCopy }, new AbortController().signal);
    assert.equal(copied.queue.records.get('f')?.state, 'done');
    assert.deepEqual(reassemble(copied.network, size), copied.data);

    // Still the handed File when it fails (its copy failed too), or a stored copy that cannot be read: no loop, a sentence.
    for (const fromHand of [true, false]) {
      const alone = setup(size);
      alone.network.respondWith('GET', () => held(0));
      const source = { ...(await sourceOf(alone.deps, 'f')), file: handed, handed: fromHand };
      await runUpload(source, { ...alone.deps, useStoredCopy: () => false }, new AbortController().signal);
      assert.equal(alone.queue.records.get('f')?.state, 'failed');
      assert.match(said(alone.queue.records.get('f')) ?? '', /^The file changed on disk after it was picked/);
      assert.equal(alone.queue.files.has('f'), false, 'a final failure drops the stored File');
    }
  });
});

/** A picked File rewritten on disk: Chromium refuses every read of it with NotReadableError. */
function changedOnDisk(size: number): Blob {
  const unreadable = (): Blob => {
    const blob = new Blob([new Uint8Array(size)]);
    blob.arrayBuffer = () => Promise.reject(new DOMException('The file changed', 'NotReadableError'));
    return blob;
  };
  const file = unreadable();
  file.slice = unreadable;
  return file;
}
