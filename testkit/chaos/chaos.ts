// npm run chaos -- --seed N --rounds R --store fs|s3|cluster [--round K]
// A fault schedule nobody wrote by hand (issue 32): each round draws an upload and the faults it
// meets from a seeded generator, and a model checks every answer. A violation prints the command
// that draws its round again; the exit code is 1.
import { parseArgs } from 'node:util';
import { Rng } from './rng.js';
import { runRound, Tally } from './round.js';
import { startTarget, type StoreName } from './targets.js';
import { send } from './wire.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    rounds: { type: 'string', default: '50' },
    store: { type: 'string', default: 'fs' },
    round: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const store = values.store as StoreName;
if (!['fs', 's3', 'cluster'].includes(store)) throw new Error(`--store is fs, s3 or cluster, not ${store}`);
const only = values.round === undefined ? undefined : Number(values.round);
const rounds = only === undefined ? Number(values.rounds) : 1;

const ROUNDS_PER_OWNER = 25;

/** A fresh owner's cookie, from the server's answer to a first status. */
async function newOwner(port: number): Promise<string> {
  const warmUp = await send(port, { method: 'GET', path: '/status', headers: { 'x-file-id': 'warm-up' } });
  const cookie = warmUp?.headers['set-cookie']?.split(';', 1)[0];
  if (!cookie) throw new Error(`no owner cookie from the server (status ${warmUp?.status})`);
  return cookie;
}

const startedAt = Date.now();
const target = await startTarget(store);
const tally = new Tally();
let failed = false;
try {
  let cookie = '';
  for (let n = 0; n < rounds; n++) {
    const round = only ?? n;
    // A new owner every few rounds: each round lists the owner's files, and a list that grows with
    // every round made a 1,000-round run on S3 slow down threefold.
    if (n % ROUNDS_PER_OWNER === 0) cookie = await newOwner(target.proxy.port);
    const violations = await runRound(target, cookie, new Rng(seed, round), `seed ${seed} round ${round}`, tally);
    tally.rounds++;
    if (violations.length > 0) {
      failed = true;
      tally.violations.push(...violations.filter((line) => !line.startsWith(' ')));
      console.log(violations.map((line) => (line.startsWith(' ') ? line : `VIOLATION ${line}`)).join('\n'));
      console.log(`  replay: npm run chaos -- --seed ${seed} --store ${store} --round ${round}`);
    } else if (!values.quiet && (n + 1) % 25 === 0) {
      console.log(`chaos: ${n + 1} of ${rounds} rounds, ${Math.round((Date.now() - startedAt) / 1000)} s`);
    }
  }
} catch (error) {
  failed = true;
  console.log(`chaos: stopped by ${(error as Error).stack}`);
} finally {
  if (failed) console.log(`chaos: the server's last lines:\n${target.logTail().join('\n')}`);
  await target.close();
}
const summary = {
  seed, store, rounds: tally.rounds, seconds: Math.round((Date.now() - startedAt) / 1000),
  steps: tally.steps, faults: tally.faults, promisesKept: tally.promisesKept, violations: tally.violations.length,
};
console.log(`chaos: ${JSON.stringify(summary)}`);
process.exit(failed ? 1 : 0);
