// Part sizes from the declared size, as tus's S3 store chooses them: never more than S3's 10,000 parts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PARTS } from '../store/s3-bucket.js';
import { partSizeFor } from '../store/s3-upload.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('S3 part size', () => {
  it('keeps the configured size while the upload fits in 10,000 parts', () => {
    assert.equal(partSizeFor(20 * MiB, 8 * MiB, 64 * GiB), 8 * MiB);
    assert.equal(partSizeFor(40 * GiB, 5 * MiB, 64 * GiB), 5 * MiB);
  });

  it('grows parts, in whole MiB, for uploads that would need more', () => {
    const size = 64 * GiB;
    const part = partSizeFor(size, 5 * MiB, 64 * GiB);
    assert.equal(part % MiB, 0);
    assert.ok(Math.ceil(size / part) <= MAX_PARTS, `${Math.ceil(size / part)} parts`);
    assert.equal(part, 7 * MiB);
  });

  it('sizes an upload of unknown size for the largest upload accepted', () => {
    assert.equal(partSizeFor(null, 5 * MiB, 64 * GiB), 7 * MiB);
    assert.ok(Math.ceil((1024 * GiB) / partSizeFor(null, 8 * MiB, 1024 * GiB)) <= MAX_PARTS);
  });
});
