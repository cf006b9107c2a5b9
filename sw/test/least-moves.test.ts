// The screen's rows reordered with the fewest moves: the rows already in the wanted order stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { putInOrder } from '../../src/ui/least-moves.js';

/** Put `current` in the order `wanted` with the screen's own putInOrder, over an array standing in for the list, counting its moves. */
function reorder(current: string[], wanted: string[]): { result: string[]; moves: number } {
  const children = [...current];
  let moves = 0;
  putInOrder<string>({
    children,
    insertBefore(node, before) {
      moves += 1;
      const at = children.indexOf(node);
      if (at >= 0) children.splice(at, 1);
      children.splice(before === null ? children.length : children.indexOf(before), 0, node);
    },
  }, wanted);
  return { result: children, moves };
}

const rows = (count: number) => Array.from({ length: count }, (_, i) => `r${i}`);

describe('putInOrder', () => {
  it('moves nothing when the order stands', () => {
    assert.deepEqual(reorder(rows(5), rows(5)), { result: rows(5), moves: 0 });
  });

  it('moves one row that goes down past many, not the many (a finished upload)', () => {
    const current = rows(300);
    const wanted = [...current.slice(1, 200), 'r0', ...current.slice(200)];
    assert.deepEqual(reorder(current, wanted), { result: wanted, moves: 1 });
  });

  it('moves one row that goes up past many (an upload that starts)', () => {
    const current = rows(300);
    const wanted = ['r250', ...current.filter((row) => row !== 'r250')];
    assert.deepEqual(reorder(current, wanted), { result: wanted, moves: 1 });
  });

  it('inserts what is not in the list yet, and reverses with all but one moved', () => {
    assert.deepEqual(reorder(['a', 'b'], ['a', 'new', 'b']), { result: ['a', 'new', 'b'], moves: 1 });
    assert.deepEqual(reorder(rows(4), [...rows(4)].reverse()), { result: [...rows(4)].reverse(), moves: 3 });
  });

  it('reaches any order, with at most as many moves as rows out of place, over random shuffles', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const current = rows(1 + Math.floor(random() * 40));
      const wanted = [...current].sort(() => random() - 0.5);
      const { result, moves } = reorder(current, wanted);
      assert.deepEqual(result, wanted);
      assert.ok(moves <= wanted.filter((row, i) => current[i] !== row).length, `round ${round}: ${moves} moves`);
    }
  });
});
