// One structured line per request, with the fields an operator needs.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Header } from '../../common/protocol.js';
import { loadConfig } from '../config.js';
import { startFerry } from '../server.js';
import { Client, distDir, randomFile, tempDir } from './helpers.js';

describe('request log', () => {
  it('writes one JSON line per request with id, start, offset, bytes, status and time', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = loadConfig({ PORT: '0', DATA_DIR: await tempDir(), STATIC_DIR: distDir });
    const ferry = await startFerry(config, pino({ level: 'info' }, sink));
    try {
      const client = new Client(`http://127.0.0.1:${ferry.port}`);
      await client.append('logged', 0, randomFile(1000), { [Header.fileSize]: '3000' });
      await client.append('logged', 5, randomFile(10));
    } finally {
      await ferry.shutdown();
    }
    const requests = lines.filter((line) => line.msg === 'request' && line.id === 'logged');
    assert.equal(requests.length, 2);
    const [ok, conflict] = requests;
    assert.deepEqual(
      { method: ok!.method, path: ok!.path, start: ok!.start, offset: ok!.offset, bytes: ok!.bytes, status: ok!.status },
      { method: 'POST', path: '/upload', start: 0, offset: 1000, bytes: 1000, status: 200 },
    );
    assert.equal(typeof ok!.ms, 'number');
    assert.equal(conflict!.status, 409);
    assert.equal(conflict!.offset, 1000);
    assert.match(String(conflict!.reason), /holds 1000 bytes/);
  });
});
