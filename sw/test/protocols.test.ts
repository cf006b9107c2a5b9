// The tus and IETF adapters under the real loop, against a scripted server in memory:
// creation and the kept URL, offsets, 409, 460, a forgotten upload, limits, cancel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IetfProtocol } from '../engine/protocols/ietf.js';
import type { UploadProtocol } from '../engine/protocols/port.js';
import { TusProtocol } from '../engine/protocols/tus.js';
import { runUpload, type LoopDeps } from '../engine/upload-loop.js';
import type { UploadRecord } from '../engine/record.js';
import { FakeResumableServer } from './fake-resumable.js';
import { bytes, MemoryQueue, recordFor, said, sourceOf } from './fakes.js';

const MiB = 1024 * 1024;

function setup(server: FakeResumableServer, size: number, patch: Partial<UploadRecord> = {}) {
  const protocol: UploadProtocol = server.kind === 'tus' ? new TusProtocol(server.fetch, server.endpoint) : new IetfProtocol(server.fetch, server.endpoint, '8');
  const queue = new MemoryQueue();
  const data = bytes(size);
  queue.add(recordFor('f', size, { target: `${server.kind}:${server.endpoint}`, ...patch }), new Blob([data]));
  const deps: LoopDeps = {
    protocol,
    store: queue,
    now: () => Date.now(),
    sleep: async () => undefined,
    report: () => undefined,
    random: () => 1,
    pollIntervalMs: 1,
  };
  const run = async () => runUpload(await sourceOf(deps, 'f'), deps, new AbortController().signal);
  return { queue, data, deps, run, protocol };
}

function only(server: FakeResumableServer): Uint8Array {
  assert.equal(server.uploads.size, 1, 'one upload on the server');
  return [...server.uploads.values()][0]!.bytes;
}

describe('tus adapter', () => {
  it('creates the upload, keeps its URL as the first PATCH goes, and appends from the offsets the server answers', async () => {
    const server = new FakeResumableServer('tus');
    const { queue, data, run } = setup(server, 3 * MiB + 17);
    const urlAtFirstPatch: Array<string | undefined> = [];
    server.inject((call) => {
      if (call.method === 'PATCH') urlAtFirstPatch.push(queue.records.get('f')?.uploadUrl);
      return undefined;
    });
    await run();
    assert.deepEqual(only(server), data);
    const record = queue.records.get('f')!;
    assert.equal(record.state, 'done');
    assert.equal(record.uploadUrl, `${server.endpoint}1`);
    assert.equal(urlAtFirstPatch[0], `${server.endpoint}1`, 'the URL was saved before any byte went');
    const post = server.only('POST')[0]!;
    assert.equal(post.headers['upload-length'], String(data.length));
    assert.equal(post.headers['upload-metadata'], `filename ${btoa('f.bin')},filetype ${btoa('application/octet-stream')}`);
    assert.ok(server.only('PATCH').every((call) => call.headers['upload-checksum'] === undefined && call.headers['content-type'] === 'application/offset+octet-stream'), 'no checksum unless advertised');
    assert.equal(server.only('HEAD').length, 0, 'nothing polls the server during a PATCH');
  });

  it('creates a file of one first chunk with its bytes where the server offers creation-with-upload', async () => {
    const server = new FakeResumableServer('tus');
    server.extensions = 'creation,creation-with-upload,termination';
    const small = setup(server, 200_000);
    await small.run();
    assert.deepEqual(only(server), small.data);
    assert.deepEqual(server.calls.map((call) => call.method), ['OPTIONS', 'POST'], 'one request for a small file (after the OPTIONS of the worker\'s life)');
    assert.equal(small.queue.records.get('f')!.state, 'done');

    // A larger one is created empty and its URL kept before its bytes go: a cut creating POST would
    // leave bytes under a URL never learnt.
    const large = new FakeResumableServer('tus');
    large.extensions = server.extensions;
    const big = setup(large, 3 * MiB + 5);
    const urlAtPatches: Array<string | undefined> = [];
    large.inject((call) => {
      if (call.method === 'PATCH') urlAtPatches.push(big.queue.records.get('f')?.uploadUrl);
      return undefined;
    });
    await big.run();
    assert.deepEqual(only(large), big.data);
    assert.equal(large.only('POST')[0]!.bodyLength, 0);
    assert.ok(urlAtPatches.length > 0 && urlAtPatches.every((url) => url === `${large.endpoint}1`));
  });

  it('creates anew when a creating POST is cut, and creates without bytes when appends carry checksums', async () => {
    const server = new FakeResumableServer('tus');
    server.extensions = 'creation,creation-with-upload';
    let posts = 0;
    server.inject((call) => {
      if (call.method === 'POST' && ++posts === 1) throw new TypeError('Failed to fetch');
      return undefined;
    });
    const cut = setup(server, 300_000);
    await cut.run();
    assert.equal(cut.queue.records.get('f')!.state, 'done');
    assert.deepEqual(only(server), cut.data, 'the second creation carried the whole file');

    // A creation's body is not checked by a checksum: with sha256 advertised, the bytes go by PATCH.
    const checked = new FakeResumableServer('tus');
    checked.extensions = 'creation,creation-with-upload,checksum';
    checked.checksumAlgorithms = 'sha1,sha256';
    const run = setup(checked, 300_000);
    await run.run();
    assert.deepEqual(only(checked), run.data);
    assert.equal(checked.only('POST')[0]!.bodyLength, 0);
    assert.ok(checked.only('PATCH').every((call) => call.headers['upload-checksum']?.startsWith('sha256 ')));
  });

  it('resumes a kept URL with HEAD instead of creating a new upload', async () => {
    const server = new FakeResumableServer('tus');
    const size = 2 * MiB;
    const { queue, data, run, protocol } = setup(server, size);
    // An earlier worker created the upload and sent its first MiB, then stopped.
    const signal = AbortSignal.timeout(1000);
    const facts = { id: 'f', size, name: 'f.bin', type: '' };
    const { url } = await protocol.status({ facts }, signal);
    await protocol.append({ facts, url: url! }, 0, new Blob([data.subarray(0, MiB)]), signal, {});
    queue.records.set('f', { ...queue.records.get('f')!, uploadUrl: url! });
    server.calls.length = 0;
    await run();
    assert.equal(queue.records.get('f')!.state, 'done');
    assert.deepEqual(only(server), data);
    assert.deepEqual(server.calls.slice(0, 2).map((call) => [call.method, call.headers['upload-offset']]), [['HEAD', undefined], ['PATCH', String(MiB)]]);
    assert.equal(server.only('POST').length, 0, 'no second creation');
  });

  it('asks HEAD after a 409, and resends a chunk the server refused with 460', async () => {
    const server = new FakeResumableServer('tus');
    server.extensions = 'creation,termination,checksum';
    server.checksumAlgorithms = 'sha1,sha256';
    const { queue, data, run } = setup(server, 3 * MiB);
    let patches = 0;
    server.inject((call) => {
      if (call.method !== 'PATCH') return undefined;
      patches += 1;
      if (patches === 2) return new Response('checksum mismatch', { status: 460 });
      if (patches === 3) return new Response('offset mismatch', { status: 409 });
      return undefined;
    });
    await run();
    assert.deepEqual(only(server), data);
    const record = queue.records.get('f')!;
    assert.equal(record.state, 'done');
    assert.equal(record.corruptedChunks, 1);
    const checksums = server.only('PATCH').map((call) => call.headers['upload-checksum']);
    assert.ok(checksums.every((value) => /^sha256 [A-Za-z0-9+/]+=*$/.test(value ?? '')), `every PATCH carries a sha256 Upload-Checksum: ${checksums.join(' | ')}`);
    assert.ok(server.only('HEAD').length >= 2, 'the offset was asked after the 460 and the 409');
  });

  it('starts again with a new creation when the server has forgotten the upload, and the row says so', async () => {
    const server = new FakeResumableServer('tus');
    const { queue, data, run } = setup(server, 4 * MiB);
    let patches = 0;
    server.inject((call) => {
      if (call.method !== 'PATCH' || ++patches !== 2) return undefined;
      server.forgetAll(); // expired between two chunks
      return new Response('upload expired', { status: 410 });
    });
    await run();
    assert.deepEqual(only(server), data);
    const record = queue.records.get('f')!;
    assert.equal(record.state, 'done');
    assert.equal(record.uploadUrl, `${server.endpoint}2`);
    assert.equal(record.startedOver, 1);
    assert.match(said(record) ?? '', /forgotten it once, and it was sent again from the beginning/);
    assert.ok(queue.history.some((saved) => said(saved) === 'The server had forgotten this upload, so it started again from the beginning.' && saved.state === 'uploading'));
  });

  it('fails before sending a byte when the file is over Tus-Max-Size, with the limit in the sentence', async () => {
    const server = new FakeResumableServer('tus');
    server.maxSize = 1000;
    const { queue, run } = setup(server, 5000);
    await run();
    const record = queue.records.get('f')!;
    assert.equal(record.state, 'failed');
    assert.equal(said(record), 'This file is too large for the server: it accepts files of up to 1.0 kB.');
    assert.equal(server.only('POST').length + server.only('PATCH').length, 0);
  });

  it('cancels by termination: DELETE of the upload URL', async () => {
    const server = new FakeResumableServer('tus');
    const { protocol } = setup(server, 10);
    await protocol.cancel({ facts: { id: 'f', size: 10, name: 'f', type: '' }, url: `${server.endpoint}7` }, AbortSignal.timeout(1000));
    await protocol.cancel({ facts: { id: 'f', size: 10, name: 'f', type: '' } }, AbortSignal.timeout(1000));
    assert.deepEqual(server.calls.map((call) => [call.method, call.url, call.headers['tus-resumable']]), [['DELETE', `${server.endpoint}7`, '1.0.0']]);
  });
});

describe('IETF draft adapter', () => {
  it('creates with Upload-Complete ?0, appends application/partial-upload, and completes with ?1 and the Repr-Digest', async () => {
    const server = new FakeResumableServer('ietf');
    const { queue, data, run } = setup(server, 3 * MiB + 1);
    await run();
    assert.deepEqual(only(server), data);
    assert.equal(queue.records.get('f')!.state, 'done');
    const post = server.only('POST')[0]!;
    assert.deepEqual([post.headers['upload-draft-interop-version'], post.headers['upload-complete'], post.headers['upload-length']], ['8', '?0', String(data.length)]);
    assert.equal(post.headers['content-disposition'], "attachment; filename*=UTF-8''f.bin");
    const patches = server.only('PATCH');
    assert.ok(patches.every((call) => call.headers['content-type'] === 'application/partial-upload' && /^sha-256=:/.test(call.headers['content-digest'] ?? '')));
    assert.deepEqual(patches.map((call) => call.headers['upload-complete']), [...patches.slice(1).map(() => '?0'), '?1']);
    assert.ok(patches.at(-1)!.headers['repr-digest']?.startsWith('sha-256=:'), 'the last append carries the whole file digest');
    assert.equal(server.only('HEAD').length, 0, 'no offset asked during a transfer');
  });

  it('asks HEAD after a 409, and starts again after a 404', async () => {
    const server = new FakeResumableServer('ietf');
    const { queue, data, run } = setup(server, 4 * MiB);
    let patches = 0;
    server.inject((call) => {
      if (call.method !== 'PATCH') return undefined;
      patches += 1;
      if (patches === 2) return new Response('{"type":"https://iana.org/assignments/http-problem-types#mismatching-upload-offset"}', { status: 409, headers: { 'content-type': 'application/problem+json' } });
      if (patches !== 3) return undefined;
      server.forgetAll();
      return new Response('no such upload', { status: 404 });
    });
    await run();
    assert.deepEqual(only(server), data);
    const record = queue.records.get('f')!;
    assert.equal(record.state, 'done');
    assert.equal(record.startedOver, 1);
    assert.equal(server.only('POST').length, 2);
  });

  it('stops after the server forgets the upload three times in a row with nothing accepted', async () => {
    const server = new FakeResumableServer('ietf');
    const { queue, run } = setup(server, 2 * MiB);
    server.inject((call) => (call.method === 'PATCH' ? (server.forgetAll(), new Response('gone', { status: 410 })) : undefined));
    await run();
    const record = queue.records.get('f')!;
    assert.equal(record.state, 'failed');
    assert.match(said(record) ?? '', /kept forgetting/);
  });
});
