import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSize } from '../../common/i18n/catalogue.js';
import { formatTimeLeft, progressLine, statusMessage } from '../../src/format.js';
import { recordFor } from './fakes.js';

describe('what the page shows', () => {
  it('writes sizes in decimal units with sensible precision, in the reader\'s language', () => {
    const en = (bytes: number) => formatSize('en', bytes);
    assert.equal(en(0), '0 bytes');
    assert.equal(en(999), '999 bytes');
    // What is shown is compared, not the raw value: never "1000 kB".
    assert.equal(en(999_960), '1.0 MB');
    assert.equal(en(999.7), '1.0 kB');
    assert.equal(en(12_400_000), '12.4 MB');
    assert.equal(en(80_000_000), '80.0 MB');
    assert.equal(en(150_000_000), '150 MB');
    assert.equal(en(1_073_741_824), '1.1 GB');
    assert.equal(formatSize('ru', 12_400_000), '12,4 МБ');
    assert.equal(formatSize('en', 3_100_000, true), '3.1 MB/s');
  });

  it('reads "12.4 MB of 80 MB · 3.1 MB/s · 20 s left" while uploading', () => {
    const upload = { ...recordFor('v', 80_000_000, { state: 'uploading', offset: 12_400_000 }), rate: 3_100_000, etaSeconds: 20 };
    assert.equal(progressLine('en', upload), '12.4 MB of 80.0 MB · 3.1 MB/s · 20 sec left');
    assert.equal(progressLine('en', { ...upload, state: 'paused', rate: 0 }), '12.4 MB of 80.0 MB');
    assert.equal(formatTimeLeft('en', 125), '2 min left');
    assert.equal(formatTimeLeft('en', 3 * 3600 + 600), '3 hr 10 min left');
    assert.equal(progressLine('ja', { ...upload, state: 'paused', rate: 0 }), '80.0 MB 中 12.4 MB');
  });

  it('counts down to the next retry', () => {
    const upload = { ...recordFor('v', 10, { state: 'waiting-for-network', retryAt: 10_000, notice: { key: 'notice.offline' } }), rate: 0 };
    assert.equal(statusMessage('en', upload, 4_000), 'Waiting for the network. Retrying in 6 sec.');
    assert.equal(statusMessage('en', upload, 11_000), 'Waiting for the network. Retrying now.');
  });

  it('says a waiting upload needs Ferry open in a browser without Background Sync, and only then', () => {
    const waiting = { ...recordFor('w', 10, { state: 'waiting-for-network', retryAt: 10_000 }), rate: 0 };
    assert.equal(statusMessage('en', waiting, 4_000, false), 'Waiting for the network. Retrying in 6 sec. This browser goes on with it only while Ferry is open.');
    const { retryAt: _, ...noRetry } = waiting;
    assert.equal(statusMessage('en', noRetry, 4_000, false), 'This browser goes on with it only while Ferry is open.');
    assert.equal(statusMessage('ru', waiting, 4_000, false).endsWith('Этот браузер продолжает загрузку, только пока Ferry открыт.'), true);
    // A paused or running upload is not waiting for the app: nothing more is said.
    assert.equal(statusMessage('en', { ...recordFor('u', 10, { state: 'uploading' }), rate: 0 }, 4_000, false), '');
  });
});
