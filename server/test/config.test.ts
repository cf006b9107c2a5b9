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
});
