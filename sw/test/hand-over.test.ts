// How the page groups a pick for the worker.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handOverGroups } from '../../src/hand-over.js';

describe('hand-over groups', () => {
  it('sends a few files first, then up to 32 at once, in the order picked', () => {
    const picked = [...Array(100).keys()];
    const groups = handOverGroups(picked);
    assert.deepEqual(groups.map((group) => group.length), [4, 32, 32, 32]);
    assert.deepEqual(groups.flat(), picked);
    assert.deepEqual(handOverGroups([]), []);
    assert.deepEqual(handOverGroups([1, 2]), [[1, 2]]);
  });
});
