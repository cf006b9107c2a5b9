import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';

describe('configuration', () => {
  it('has sane defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, path.resolve('data'));
    assert.equal(config.uploadTtlMs, 7 * 24 * 3600 * 1000);
    assert.equal(config.maxUploadBytes, 64 * 1024 ** 3);
  });

  it('reads durations with units, and bare numbers as seconds', () => {
    assert.equal(loadConfig({ UPLOAD_TTL: '12h' }).uploadTtlMs, 12 * 3600 * 1000);
    assert.equal(loadConfig({ UPLOAD_TTL: '90' }).uploadTtlMs, 90_000);
    assert.equal(loadConfig({ GHOST_IDLE: '500ms' }).ghostIdleMs, 500);
  });

  it('refuses nonsense with a message naming the variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (error: Error) => error instanceof ConfigError && /PORT/.test(error.message));
    assert.throws(() => loadConfig({ PORT: '70000' }), ConfigError);
    assert.throws(() => loadConfig({ UPLOAD_TTL: '7 days' }), /UPLOAD_TTL/);
    assert.throws(() => loadConfig({ UPLOAD_TTL: '0s' }), /longer than zero/);
    assert.throws(() => loadConfig({ MAX_UPLOAD_BYTES: '-1' }), /MAX_UPLOAD_BYTES/);
  });

  it('keeps bytes in DATA_DIR unless told to use S3, which needs a bucket and parts S3 accepts', () => {
    assert.deepEqual(loadConfig({}).store, { kind: 'fs' });
    assert.deepEqual(loadConfig({ STORE: 's3', S3_BUCKET: 'ferry', S3_ENDPOINT: 'http://127.0.0.1:7480' }).store,
      { kind: 's3', bucket: 'ferry', endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', partBytes: 8 * 1024 ** 2 });
    assert.throws(() => loadConfig({ STORE: 'disk' }), /STORE must be fs or s3/);
    assert.throws(() => loadConfig({ STORE: 's3' }), /S3_BUCKET/);
    assert.throws(() => loadConfig({ STORE: 's3', S3_BUCKET: 'b', S3_PART_SIZE: '1048576' }), /S3_PART_SIZE/);
    assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl, 'redis://127.0.0.1:6379');
  });

  it('reads UPLOAD_TARGET: this server, a tus endpoint or an IETF-draft endpoint, refusing what the worker cannot speak', () => {
    assert.deepEqual(loadConfig({}).uploadTarget, { protocol: 'ferry' });
    assert.deepEqual(loadConfig({ UPLOAD_TARGET: 'tus:https://tus.example/files/' }).uploadTarget, { protocol: 'tus', endpoint: 'https://tus.example/files/' });
    assert.deepEqual(loadConfig({ UPLOAD_TARGET: 'ietf:http://127.0.0.1:9000/uploads/' }).uploadTarget, { protocol: 'ietf', endpoint: 'http://127.0.0.1:9000/uploads/', interop: '8' });
    assert.deepEqual(loadConfig({ UPLOAD_TARGET: 'ietf@6:http://127.0.0.1:9000/uploads/' }).uploadTarget, { protocol: 'ietf', endpoint: 'http://127.0.0.1:9000/uploads/', interop: '6' });
    assert.throws(() => loadConfig({ UPLOAD_TARGET: 's3://bucket' }), (error: Error) => error instanceof ConfigError && /UPLOAD_TARGET: the target must be ferry, ferry:<url>, tus:<url> or ietf:<url>/.test(error.message));
    assert.throws(() => loadConfig({ UPLOAD_TARGET: 'tus:/files/' }), /absolute URL/);
    assert.throws(() => loadConfig({ UPLOAD_TARGET: 'tus:ftp://host/files/' }), /http or https/);
    assert.deepEqual(loadConfig({ UPLOAD_TARGET: 'ietf@9:http://127.0.0.1:9000/uploads/' }).uploadTarget, { protocol: 'ietf', endpoint: 'http://127.0.0.1:9000/uploads/', interop: '9' });
    assert.throws(() => loadConfig({ UPLOAD_TARGET: 'ietf@3:https://host/' }), /interop versions spoken are 6 and 8 and 9/);
  });
});
