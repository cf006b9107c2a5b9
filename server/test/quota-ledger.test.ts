// The quota ledger's arithmetic (issue 28, M2), without a server: grants, others' growth, and a
// ledger that stops answering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyBudget, LocalLedger, type QuotaLedger } from '../quota-ledger.js';

const MiB = 1024 * 1024;

describe('quota ledger', () => {
  it('lets two bodies of one owner share one room, and takes back their grants when they end', async () => {
    const ledger = new LocalLedger();
    await ledger.watch('owner'); // the test's own look, so the owner's numbers outlive the bodies
    const a = bodyBudget(ledger, 'owner', (await ledger.watch('owner')).grown, 10 * MiB);
    const b = bodyBudget(ledger, 'owner', (await ledger.watch('owner')).grown, 10 * MiB);
    let heldA = 0;
    let heldB = 0;
    for (let step = 0; step < 20; step++) {
      if (await a.allows(heldA, MiB)) heldA += MiB;
      if (await b.allows(heldB, MiB)) heldB += MiB;
    }
    assert.ok(heldA + heldB <= 10 * MiB, `${heldA + heldB} bytes held against a 10 MiB room`);
    assert.ok(heldA >= MiB && heldB >= MiB, 'both got some');
    assert.ok((await pendingOf(ledger)) >= heldA + heldB, 'what they wrote is pending until they end');
    await a.release();
    await b.release();
    assert.equal(await pendingOf(ledger), 0, 'nothing pending once both ended');
    assert.equal((await ledger.watch('owner')).grown, heldA + heldB, 'unused grants were taken back');
  });

  it('goes on blind, against the room alone, when the ledger stops answering', async () => {
    const broken: QuotaLedger = {
      watch: async () => ({ grown: 0, pending: 0 }),
      unwatch: () => undefined,
      grow: async () => Promise.reject(new Error('Command timed out')),
      settle: async () => Promise.reject(new Error('Command timed out')),
    };
    const heard: unknown[] = [];
    const budget = bodyBudget(broken, 'owner', 0, 3 * MiB, (error) => heard.push(error));
    assert.equal(await budget.allows(0, MiB), true);
    assert.equal(await budget.allows(MiB, MiB), true);
    assert.equal(await budget.allows(2 * MiB, 2 * MiB), false, 'past the room measured at admission');
    assert.equal(heard.length, 1, 'told once');
    await budget.release();
  });
});

async function pendingOf(ledger: LocalLedger): Promise<number> {
  const state = await ledger.watch('owner');
  ledger.unwatch('owner');
  return state.pending;
}
