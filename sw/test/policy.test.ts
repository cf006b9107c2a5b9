import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describe as describeNotice } from '../../common/i18n/catalogue.js';
import { NetworkError, ServerError, SourceChanged } from '../engine/errors.js';
import { afterFailure, BACKOFF_CAP_MS, backoffMs, chunkDeadlineMs, classify, etaSeconds, failureNotice, MAX_CHUNK, MIN_CHUNK, nextChunkSize, RateMeter } from '../engine/policy.js';

const MiB = 1024 * 1024;

describe('retry policy', () => {
  it('retries a first failure within 250 ms, then doubles from 1 s, within the upper half of each window, up to a cap', () => {
    assert.equal(backoffMs(1, 1), 250);
    assert.equal(backoffMs(1, 0), 125);
    assert.equal(backoffMs(2, 1), 1000);
    assert.equal(backoffMs(3, 1), 2000);
    assert.equal(backoffMs(5, 1), 8000);
    assert.equal(backoffMs(40, 1), BACKOFF_CAP_MS);
    for (let failures = 1; failures < 12; failures++) {
      const low = backoffMs(failures, 0);
      const high = backoffMs(failures, 1);
      assert.ok(low * 2 === high || low * 2 === high + 1, `jitter spans half a window (${low}..${high})`);
    }
  });

  it('retries on 5xx, 408 and 429, resyncs on 409, fails on any other 4xx', () => {
    assert.equal(classify(200), 'ok');
    assert.equal(classify(204), 'ok');
    assert.equal(classify(409), 'conflict');
    for (const status of [500, 502, 503, 507, 408, 429]) assert.equal(classify(status), 'retry', String(status));
    for (const status of [400, 403, 404, 413]) assert.equal(classify(status), 'fatal', String(status));
  });

  it('sends every failure down one path: wait and ask again, or fail with a sentence, or throw a bug on', () => {
    assert.deepEqual(afterFailure(new NetworkError('cut'), 1, 1, false), { state: 'waiting-for-network', delayMs: 250, notice: { key: 'notice.offline' } });
    // Online, yet no answer: a stopped server, said as such rather than blaming the network.
    assert.deepEqual(afterFailure(new NetworkError('refused'), 1, 1, true).notice, { key: 'notice.unreachable' });
    assert.deepEqual(afterFailure(new ServerError(503, 'restarting'), 2, 1), { state: 'waiting-for-network', delayMs: 1000, notice: { key: 'notice.unavailable', params: { status: '503' } } });
    const refused = afterFailure(new ServerError(413, 'too big', 1_000_000), 1);
    assert.equal(refused.state === 'failed' && refused.final, true, 'a refusal is final: Remove, not Retry');
    assert.equal(describeNotice('en', refused.notice), 'This file is too large for the server: it accepts files of up to 1.0 MB.');
    assert.equal(afterFailure(new SourceChanged(), 1).state, 'failed');
    assert.throws(() => afterFailure(new TypeError('a bug'), 1), TypeError);
  });

  it('turns a refusal into a sentence, never a stack trace', () => {
    assert.equal(describeNotice('en', failureNotice(413, 'uploads are limited to 2000000 bytes\n', 2_000_000)), 'This file is too large for the server: it accepts files of up to 2.0 MB.');
    assert.match(describeNotice('en', failureNotice(413, 'the body runs past x-file-size 5\n')), /^The server refused this file as too large \(the body runs past/);
    assert.match(describeNotice('en', failureNotice(400, 'x-file-size 5 disagrees')), /^The server refused the upload: x-file-size 5 disagrees\.$/);
  });
});

describe('chunk sizing', () => {
  it('aims at about two seconds of transfer, from 256 KiB on slow links to 64 MiB on fast ones', () => {
    assert.equal(nextChunkSize(32 * 1024, 4 * MiB), MIN_CHUNK, 'a 32 KiB/s link gets the smallest chunk');
    assert.equal(nextChunkSize(1024 * MiB, 64 * MiB), MAX_CHUNK, 'a very fast link is capped');
    assert.equal(nextChunkSize(5 * MiB, 4 * MiB), 10 * MiB);
  });

  it('grows at most fourfold per step and keeps the size when nothing was measured', () => {
    assert.equal(nextChunkSize(500 * MiB, 4 * MiB), 16 * MiB);
    assert.equal(nextChunkSize(0, 4 * MiB), 4 * MiB);
  });

  it('gives a chunk four times its expected time before calling it stalled, at least 15 s', () => {
    assert.equal(chunkDeadlineMs(MiB, 100 * MiB), 15_000);
    assert.equal(chunkDeadlineMs(8 * MiB, MiB), 32_000);
    assert.equal(chunkDeadlineMs(MiB, 0), 64_000, 'an unmeasured link is planned at 64 KiB/s');
  });
});

describe('rate meter', () => {
  it('measures confirmed bytes per second and smooths by elapsed time', () => {
    const meter = new RateMeter();
    meter.sample(0, 0);
    meter.sample(1000, 1_000_000);
    assert.equal(meter.bytesPerSecond, 1_000_000);
    meter.sample(4000, 4_000_000);
    assert.equal(meter.bytesPerSecond, 1_000_000);
    meter.sample(4100, 5_000_000); // a burst over 100 ms moves the estimate only a little
    assert.ok(meter.bytesPerSecond < 1_400_000);
    meter.restart();
    meter.sample(9000, 5_000_000);
    assert.ok(meter.bytesPerSecond > 0, 'a restart keeps the estimate');
    assert.equal(etaSeconds(3_000_000, 1_000_000), 3);
    assert.equal(etaSeconds(10, 0), undefined);
  });
});
