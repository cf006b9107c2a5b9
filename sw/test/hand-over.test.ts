// How the page groups a pick for the worker.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HAND_OVER_ALONE_BYTES, handOverGroups } from '../../src/hand-over.js';

const sized = (...sizes: number[]) => sizes.map((size, index) => ({ size, index }));

describe('hand-over groups', () => {
  it('sends a few small files first, then up to 32 at once, in the order picked', () => {
    const groups = handOverGroups(sized(...new Array<number>(100).fill(200_000)));
    assert.deepEqual(groups.map((group) => group.length), [4, 32, 32, 32]);
    assert.deepEqual(groups.flat().map((file) => file.index), [...Array(100).keys()]);
  });

  it('keeps a group under 16 MB, and sends a large file alone between groups', () => {
    const groups = handOverGroups(sized(1, 2, 3, 4, 5_000_000, 5_000_000, 5_000_000, 5_000_000, HAND_OVER_ALONE_BYTES + 1, 6));
    assert.deepEqual(groups.map((group) => group.map((file) => file.index)), [[0, 1, 2, 3], [4, 5, 6], [7], [8], [9]]);
  });
});
