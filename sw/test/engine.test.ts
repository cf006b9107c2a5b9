// The scheduler's state transitions and controls, with the scripted network.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkerMessage } from '../../common/messages.js';
import { Engine, RETENTION_MS } from '../engine/engine.js';
import { FerryProtocol } from '../engine/protocols/ferry.js';
import { accept, bytes, hang, held, MemoryQueue, recordFor, ScriptedNetwork, said } from './fakes.js';

function setup(concurrency: number, now: () => number = Date.now) {
  const network = new ScriptedNetwork();
  const queue = new MemoryQueue();
  const messages: WorkerMessage[] = [];
  const engine = new Engine({
    protocols: () => new FerryProtocol(network.fetch),
    store: queue,
    emit: (event) => void messages.push(event.type === 'changed' ? { type: 'ferry:update', upload: event.upload } : { type: 'ferry:removed', id: event.id }),
    concurrency,
    now,
    loop: { pollIntervalMs: 10_000, random: () => 1 },
  });
  return { network, queue, messages, engine };
}

/** Script `count` appends that each take a moment, and report the most that were ever in flight together. */
function trackConcurrency(network: ScriptedNetwork, count: number, size: number): () => number {
  let inFlight = 0;
  let most = 0;
  for (let i = 0; i < count; i++) {
    network.respondWith('POST', async (request) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 25));
      inFlight -= 1;
      return accept(request, size);
    });
  }
  return () => most;
}

describe('engine', () => {
  it('runs no more uploads at once than its concurrency, and drains the queue', async () => {
    const { network, queue, engine } = setup(2);
    for (const id of ['a', 'b', 'c', 'd']) queue.add(recordFor(id, 1000, { addedAt: Date.now() + id.charCodeAt(0) }), new Blob([bytes(1000)]));
    const most = trackConcurrency(network, 4, 1000);
    await engine.kick();
    assert.equal(most(), 2);
    assert.deepEqual([...queue.records.values()].map((record) => record.state), ['done', 'done', 'done', 'done']);
  });

  it('takes a new concurrency at once', async () => {
    const { network, queue, engine } = setup(1);
    for (const id of ['a', 'b', 'c']) queue.add(recordFor(id, 500, { addedAt: Date.now() + id.charCodeAt(0) }), new Blob([bytes(500)]));
    const most = trackConcurrency(network, 3, 500);
    const running = engine.kick();
    engine.setConcurrency(3);
    await running;
    await engine.kick();
    assert.equal(most(), 3);
  });

  it('pauses, resumes and cancels, telling every page', async () => {
    const { network, queue, messages, engine } = setup(3);
    queue.add(recordFor('p', 3000), new Blob([bytes(3000)]));
    network.respondWith('POST', hang);
    const running = engine.kick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await engine.pause('p');
    await running;
    assert.equal(queue.records.get('p')?.state, 'paused');
    assert.ok(messages.some((message) => message.type === 'ferry:update' && message.upload.state === 'paused'));

    network.statusOffset = 1000;
    network.respondWith('POST', (request) => accept(request, 3000));
    await engine.resume('p');
    await engine.kick();
    assert.equal(queue.records.get('p')?.state, 'done');
    assert.equal(network.appends().at(-1)?.headers['x-start-byte'], '1000', 'resumed from the server offset');

    await engine.cancel('p');
    assert.equal(queue.records.has('p'), false);
    assert.ok(network.requests.some((request) => request.method === 'DELETE' && request.headers['x-file-id'] === 'p'));
    assert.deepEqual(messages.at(-1), { type: 'ferry:removed', id: 'p' });
  });

  it('retries a failed upload from a clean slate', async () => {
    const { network, queue, engine } = setup(1);
    queue.add(recordFor('r', 100, { state: 'failed', failures: 3, notice: { key: 'notice.refused', params: { status: '400' } } }), new Blob([bytes(100)]));
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', (request) => accept(request, 100));
    await engine.retry('r');
    await engine.kick();
    const record = queue.records.get('r')!;
    assert.equal(record.state, 'done');
    assert.match(said(record) ?? '', /^Verified/, 'the refusal is gone; the file is verified');
  });

  it('ends a backoff wait at once when woken', async () => {
    const { network, queue, engine } = setup(1);
    queue.add(recordFor('w', 100), new Blob([bytes(100)]));
    network.respondWith('GET', () => Promise.reject(new TypeError('Failed to fetch')));
    network.respondWith('GET', () => Promise.reject(new TypeError('Failed to fetch')));
    network.respondWith('GET', () => Promise.reject(new TypeError('Failed to fetch')));
    network.respondWith('POST', (request) => accept(request, 100));
    const started = Date.now();
    const running = engine.kick();
    // Backoffs of 0.25, 1 and 2 s would follow; the page's "online" cuts each short.
    const waker = setInterval(() => engine.wake(), 30);
    await running;
    clearInterval(waker);
    assert.equal(queue.records.get('w')?.state, 'done');
    assert.ok(Date.now() - started < 1000, `woken early (${Date.now() - started} ms)`);
  });

  it('does not wait after an attempt that failed while a page was reporting the network back', async () => {
    const { network, queue, engine } = setup(1);
    queue.add(recordFor('o', 100), new Blob([bytes(100)]));
    // The page's "online" arrives while the request is failing, before any wait has begun.
    network.respondWith('GET', () => {
      engine.wake();
      return Promise.reject(new TypeError('Failed to fetch'));
    });
    network.respondWith('POST', (request) => accept(request, 100));
    const started = Date.now();
    await engine.kick();
    assert.equal(queue.records.get('o')?.state, 'done');
    assert.ok(Date.now() - started < 200, `no 250 ms backoff (${Date.now() - started} ms)`);
  });

  it('enqueues a picked File: keeps a small one with its record, uploads it, and answers once the browser keeps it', async () => {
    const { network, queue, messages, engine } = setup(3);
    const data = bytes(3000);
    const file = new File([data], 'отчёт.pdf', { type: 'application/pdf', lastModified: 7 });
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', (request) => accept(request, data.length));
    const [answer] = await engine.enqueue([file]);
    assert.deepEqual(answer, { ok: true, id: encodeURIComponent('3000-7-отчёт.pdf') });
    assert.ok(queue.files.has(answer?.ok ? answer.id : ''), 'the copy is kept');
    await engine.kick();
    const record = queue.records.get(answer?.ok ? answer.id : '')!;
    assert.equal(record.state, 'done');
    assert.deepEqual(network.appends()[0]!.body, data);
    const views = messages.flatMap((message) => (message.type === 'ferry:update' ? [message.upload] : []));
    assert.ok(views.length > 0 && views.every((view) => !('hashState' in view) && !('lastModified' in view)), 'pages see a view, never the worker record');

    // The same file picked again while on its way adds nothing.
    assert.deepEqual(await engine.enqueue([file, file]), [answer, answer]);
  });

  it('keeps the small files of one pick in one transaction, and those that fit when not all do', async () => {
    const together = setup(0);
    const photos = ['a', 'b', 'c'].map((name) => new File([bytes(1000)], `${name}.jpg`, { lastModified: 1 }));
    const answers = await together.engine.enqueue(photos);
    assert.deepEqual(answers.map((answer) => answer.ok), [true, true, true]);
    assert.equal(together.queue.additions, 1, 'one transaction');
    assert.equal(together.messages.filter((message) => message.type === 'ferry:update').length, 3, 'each row shown');

    const nearlyFull = setup(0);
    nearlyFull.queue.room = 2500;
    const replies = await nearlyFull.engine.enqueue(photos);
    assert.deepEqual(replies.map((answer) => answer.ok), [true, true, false]);
    assert.match(replies[2]?.ok === false ? said(replies[2]) ?? '' : '', /no room left in this browser’s storage to keep “c\.jpg”/);
    assert.deepEqual([...nearlyFull.queue.files.keys()].length, 2);
    assert.equal(nearlyFull.queue.records.size, 2, 'no record without its File');
  });

  it('starts an upload picked while a sweep was reading the store, once a slot frees', async () => {
    const { network, queue, engine } = setup(1);
    queue.add(recordFor('first', 100), new Blob([bytes(100)]));
    network.respondWith('POST', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return accept(request, 100);
    });
    const running = engine.kick();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // A wake sweeps; its read of the store is taken before the pick and answers after it.
    const read = queue.all.bind(queue);
    queue.all = async () => {
      const snapshot = await read();
      await new Promise((resolve) => setTimeout(resolve, 30));
      return snapshot;
    };
    const sweeping = engine.kick(true);
    network.respondWith('POST', (request) => accept(request, 100));
    const [picked] = await engine.enqueue([new File([bytes(100)], 'mid-sweep.jpg', { lastModified: 1 })]);
    await Promise.all([running, sweeping]);
    await engine.kick();
    assert.equal(queue.records.get(picked?.ok ? picked.id : '')?.state, 'done', 'not forgotten until the next sweep');
  });

  it('keeps at most 16 MB of small files in a transaction, and copies large files one at a time', async () => {
    const { queue, engine } = setup(0);
    let copying = 0;
    let most = 0;
    const put = queue.putFile.bind(queue);
    queue.putFile = async (id, file) => {
      most = Math.max(most, ++copying);
      await new Promise((resolve) => setTimeout(resolve, 20));
      copying -= 1;
      return put(id, file);
    };
    const sized = (name: string, size: number) => new File([new Uint8Array(size)], name, { lastModified: 1 });
    const pick = [sized('a.jpg', 7_000_000), sized('b.mov', 9_000_000), sized('c.jpg', 7_000_000), sized('d.mov', 9_000_000), sized('e.jpg', 7_000_000)];
    const answers = await engine.enqueue(pick);
    assert.ok(answers.every((answer) => answer.ok));
    assert.equal(queue.additions, 4, 'small files: 14 MB, then 7 MB; each large record alone');
    assert.equal(most, 1, 'large copies never side by side');
    assert.equal(queue.files.size, 5);
  });

  it('cancels an upload whose copy the browser cannot keep, and says why', async () => {
    // A large file is announced and starts before its copy is kept: cancelled, its row removed.
    const large = setup(0); // nothing starts: this is about the copy
    large.queue.putFails = new DOMException('quota', 'QuotaExceededError');
    const [answer] = await large.engine.enqueue([new File([new Uint8Array(9_000_000)], 'big.mov', { lastModified: 1 })]);
    assert.equal(answer?.ok, false);
    assert.match(answer?.ok !== false ? '' : said(answer) ?? '', /no room left in this browser’s storage to keep “big\.mov”/);
    assert.equal(large.queue.records.size, 0, 'the record is gone');
    assert.ok(large.messages.some((message) => message.type === 'ferry:removed'));

    // A small one is kept with its record in one transaction: nothing is kept, and no row ever shown.
    const small = setup(0);
    small.queue.putFails = new DOMException('quota', 'QuotaExceededError');
    const [refused] = await small.engine.enqueue([new File([bytes(10)], 'note.txt', { lastModified: 1 })]);
    assert.match(refused?.ok !== false ? '' : said(refused) ?? '', /no room left in this browser’s storage to keep “note\.txt”/);
    assert.equal(small.queue.records.size, 0);
    assert.equal(small.messages.length, 0);
  });

  it('remembers a cancel the server could not hear, hides it from pages, and sends it on the next wake', async () => {
    const { network, queue, engine } = setup(3);
    queue.add(recordFor('c', 3000, { state: 'paused' }), new Blob([bytes(3000)]));
    network.respondWith('DELETE', () => Promise.reject(new TypeError('Failed to fetch')));
    await engine.cancel('c');
    assert.equal(queue.records.get('c')?.cancelPending, true, 'kept, marked');
    assert.equal(queue.files.has('c'), false, 'its file is dropped at once');
    assert.deepEqual(await engine.snapshot(), [], 'pages never see it again');
    assert.equal(await engine.hasPending(), true, 'Background Sync stays asked for');

    network.respondWith('DELETE', () => new Response(null, { status: 204 }));
    await engine.kick();
    assert.equal(queue.records.has('c'), false, 'gone once the server has it');
    assert.equal(network.requests.filter((request) => request.method === 'DELETE' && request.headers['x-file-id'] === 'c').length, 2);
  });

  it('drops a stored file past the retention period, and the row says so', async () => {
    let now = Date.now();
    const { queue, messages, engine } = setup(0, () => now);
    queue.add(recordFor('old', 3000, { state: 'paused', addedAt: now }), new Blob([bytes(3000)]));
    assert.equal((await engine.snapshot())[0]?.keptUntil, now + RETENTION_MS, 'the row can show until when');
    await engine.kick();
    assert.equal(queue.files.has('old'), true, 'kept within the period');
    now += RETENTION_MS + 1;
    await engine.kick();
    assert.equal(queue.files.has('old'), false, 'the stored File is gone');
    const record = queue.records.get('old')!;
    assert.deepEqual([record.state, record.final], ['failed', true]);
    assert.equal(said(record), 'This file waited in the browser for 7 days without finishing, so it was removed to free space. Pick it again to upload it.');
    assert.ok(messages.some((message) => message.type === 'ferry:update' && message.upload.id === 'old' && message.upload.state === 'failed'));
  });
});
