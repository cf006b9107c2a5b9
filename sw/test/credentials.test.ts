// Host credentials: headers on every request, 401/403 waits with the file kept, setHeaders goes on from the server's offset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine, type EngineEvent } from '../engine/engine.js';
import { FerryProtocol } from '../engine/protocols/ferry.js';
import { accept, bytes, held, MemoryQueue, recordFor, said, ScriptedNetwork } from './fakes.js';
import { resolveWorkerOptions } from '../worker/options.js';
import { readPageMessage } from '../worker/page-messages.js';
import { uploadOptionsProblem } from '../../common/upload-options.js';

function setup() {
  const network = new ScriptedNetwork();
  const queue = new MemoryQueue();
  const events: EngineEvent[] = [];
  const engine = new Engine({ protocols: () => new FerryProtocol(network.fetch), store: queue, emit: (event) => void events.push(event), concurrency: 2, loop: { pollIntervalMs: 10_000, random: () => 1 } });
  return { network, queue, events, engine };
}

const refused = () => new Response('token expired', { status: 401 });

describe('credentials', () => {
  it('waits on a 401 with its stored file kept, then goes on from the server\'s offset with the new headers', async () => {
    const { network, queue, events, engine } = setup();
    queue.add(recordFor('f', 3000, { headers: { authorization: 'Bearer old' } }), new Blob([bytes(3000)]));
    network.respondWith('GET', () => held(0));
    network.respondWith('POST', refused);
    await engine.kick();
    const waiting = queue.records.get('f');
    assert.equal(waiting?.state, 'needs-credentials');
    assert.match(said(waiting) ?? '', /refused the credentials \(HTTP 401\)/);
    assert.ok(queue.files.has('f'), 'nothing is dropped');
    assert.ok(events.some((event) => event.type === 'changed' && event.upload.state === 'needs-credentials'), 'pages are told');
    assert.ok(network.requests.every((request) => request.headers.authorization === 'Bearer old'));

    network.requests.length = 0;
    network.statusOffset = 1200;
    network.respondWith('POST', (request) => accept(request, 3000));
    await engine.setHeaders({ authorization: 'Bearer new' });
    await engine.kick();
    assert.equal(queue.records.get('f')?.state, 'done');
    const append = network.requests.find((request) => request.method === 'POST');
    assert.equal(append?.headers['x-start-byte'], '1200', 'from the server\'s offset, never from 0');
    assert.ok(network.requests.every((request) => request.headers.authorization === 'Bearer new'), 'every request carries the new headers');
    assert.deepEqual(queue.records.get('f')?.headers, { authorization: 'Bearer new' });
  });

  it('sends metadata with the append that creates the upload', async () => {
    const { network, queue, engine } = setup();
    queue.add(recordFor('m', 100, { metadata: { project: 'north' } }), new Blob([bytes(100)]));
    network.respondWith('POST', (request) => accept(request, 100));
    await engine.kick();
    const append = network.requests.find((request) => request.method === 'POST');
    assert.equal(append?.headers['upload-metadata'], `project ${btoa('north')}`);
  });
});

describe('installFerry options and page messages', () => {
  const origin = 'https://app.example';
  it('names the option that is wrong', () => {
    assert.throws(() => resolveWorkerOptions({ target: 'ftp:x' }, origin), /installFerry: target: the target must be ferry/);
    assert.throws(() => resolveWorkerOptions({ conccurency: 2 } as never, origin), /unknown option "conccurency"/);
    assert.throws(() => resolveWorkerOptions({ concurrency: 0 }, origin), /concurrency must be a whole number/);
    assert.throws(() => resolveWorkerOptions({ databaseName: '' }, origin), /databaseName/);
    assert.throws(() => resolveWorkerOptions({ notifications: { icon: 3 } } as never, origin), /notifications.icon/);
    assert.throws(() => resolveWorkerOptions({ log: 'debug' } as never, origin), /log must be a function/);
    const { log, ...resolved } = resolveWorkerOptions({ target: 'tus:/files/', notifications: false }, origin);
    assert.deepEqual(resolved, { target: 'tus:/files/', databaseName: 'ferry', notifications: false, concurrency: 3, retentionMs: 7 * 24 * 3600 * 1000, push: false });
    assert.equal(log('ferry: silent by default'), undefined);
  });

  it('pushes by default only to a Ferry target, at its /push-subscriptions, wherever it is mounted', () => {
    assert.deepEqual(resolveWorkerOptions({}, origin).push, { subscriptions: 'https://app.example/push-subscriptions' });
    assert.deepEqual(resolveWorkerOptions({ target: 'ferry:/files' }, origin).push, { subscriptions: 'https://app.example/files/push-subscriptions' });
    assert.equal(resolveWorkerOptions({ target: 'ietf:/uploads/' }, origin).push, false);
    assert.equal(resolveWorkerOptions({ push: false }, origin).push, false);
    assert.deepEqual(resolveWorkerOptions({ target: 'tus:/files/', push: { subscriptions: '/api/push' } }, origin).push, { subscriptions: 'https://app.example/api/push' });
    assert.throws(() => resolveWorkerOptions({ push: { endpoint: 'x' } } as never, origin), /push has no option "endpoint"/);
  });

  it('refuses metadata a protocol cannot carry, and headers the protocol writes', () => {
    assert.match(uploadOptionsProblem({ metadata: { 'my key': 'x' } }) ?? '', /no space or comma/);
    assert.match(uploadOptionsProblem({ metadata: { 'a,b': 'x' } }) ?? '', /no space or comma/);
    assert.match(uploadOptionsProblem({ metadata: { big: 'x'.repeat(5000) } }) ?? '', /at most 4096/);
    assert.match(uploadOptionsProblem({ headers: { 'Upload-Offset': '0' } }) ?? '', /written by the upload protocol/);
    assert.match(uploadOptionsProblem({ headers: { authorization: 'a\r\nb' } }) ?? '', /line break/);
    assert.equal(uploadOptionsProblem({ metadata: { project: 'Север' }, headers: { authorization: 'Bearer t' } }), undefined);
    assert.deepEqual(readPageMessage({ type: 'ferry:set-headers', headers: { 'content-length': '1' } }), { refused: 'the header "content-length" is written by the upload protocol itself, and cannot be set' });
  });
});
