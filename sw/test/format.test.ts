import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes } from '../../common/format.js';
import { formatTimeLeft, progressLine, statusMessage } from '../../src/format.js';
import { recordFor } from './fakes.js';

describe('what the page shows', () => {
  it('writes sizes in decimal units with sensible precision', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    // What is shown is compared, not the raw value: never "1000 kB".
    assert.equal(formatBytes(999_960), '1.0 MB');
    assert.equal(formatBytes(999.7), '1.0 kB');
    assert.equal(formatBytes(12_400_000), '12.4 MB');
    assert.equal(formatBytes(80_000_000), '80.0 MB');
    assert.equal(formatBytes(150_000_000), '150 MB');
    assert.equal(formatBytes(1_073_741_824), '1.1 GB');
  });

  it('reads "12.4 MB of 80 MB · 3.1 MB/s · 20 s left" while uploading', () => {
    const upload = { ...recordFor('v', 80_000_000, { state: 'uploading', offset: 12_400_000 }), rate: 3_100_000, etaSeconds: 20 };
    assert.equal(progressLine(upload), '12.4 MB of 80.0 MB · 3.1 MB/s · 20 s left');
    assert.equal(progressLine({ ...upload, state: 'paused', rate: 0 }), '12.4 MB of 80.0 MB');
    assert.equal(formatTimeLeft(125), '2 min left');
    assert.equal(formatTimeLeft(3 * 3600 + 600), '3 h 10 min left');
  });

  it('counts down to the next retry', () => {
    const upload = { ...recordFor('v', 10, { state: 'waiting-for-network', retryAt: 10_000, message: 'Waiting for the network.' }), rate: 0 };
    assert.equal(statusMessage(upload, 4_000), 'Waiting for the network. Retrying in 6 s.');
    assert.equal(statusMessage(upload, 11_000), 'Waiting for the network. Retrying now.');
  });
});
