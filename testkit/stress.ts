// `npm run test:stress -- [--rounds N] [--server] [--e2e]`: the fault-injecting suites, N times in a
// row on this machine, to find the tests that fail without a fault of the change under test
// (docs/testing.md). Each failing round's output is kept in test-results/stress/. Prints one line a
// round and a tally; exits non-zero when any round failed. Not part of CI: CI runs each test once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './ferry.js';

/** Server suites that inject real faults: cut and stalled sockets, SIGKILL, a full disk, racing writers, Redis and instances killed. */
const SERVER_SUITES = ['faults', 'crash', 'checked-bytes', 'integrity', 'polls', 'abuse', 'abuse-creations', 'quotas', 'tus-client', 'webhooks', 'cluster-faults']
  .map((name) => `build/server/test/${name}.test.js`);
/** End-to-end specs that inject faults in the browser's path (Chromium and Firefox). */
const E2E_SPECS = ['e2e/uploads.spec.ts', 'e2e/lifecycle.spec.ts', 'e2e/firefox.spec.ts', 'e2e/tus-target.spec.ts', 'e2e/ietf-target.spec.ts', 'e2e/classic-resume.spec.ts'];

interface Kind {
  name: string;
  command: string;
  args: (round: number) => string[];
}

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, server: { type: 'boolean' }, e2e: { type: 'boolean' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number, not "${values.rounds}"`);
const both = !values.server && !values.e2e;
// Each e2e round writes its traces and attachments to a folder of its own: Playwright empties only that one.
const keep = path.join(repoRoot, 'test-results', 'stress');
const kinds: Kind[] = [
  ...(both || values.server ? [{ name: 'server', command: process.execPath, args: () => ['--test', '--test-concurrency=2', '--test-timeout=300000', ...SERVER_SUITES] }] : []),
  ...(both || values.e2e ? [{ name: 'e2e', command: 'npx', args: (round: number) => ['playwright', 'test', '--output', path.join(keep, `e2e-round-${round}`), ...E2E_SPECS] }] : []),
];

mkdirSync(keep, { recursive: true });
const tally = new Map(kinds.map((kind) => [kind.name, { runs: 0, failed: 0 }]));
for (let round = 1; round <= rounds; round++) {
  for (const kind of kinds) {
    const started = Date.now();
    const run = spawnSync(kind.command, kind.args(round), { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, CI: 'true' } });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const counts = tally.get(kind.name)!;
    counts.runs += 1;
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    if (run.status === 0) {
      console.log(`stress ${kind.name} round ${round}/${rounds}: passed in ${seconds} s`);
      continue;
    }
    counts.failed += 1;
    const file = path.join(keep, `${kind.name}-round-${round}.log`);
    writeFileSync(file, output);
    const failing = output.split('\n').filter((line) => /^\s*(not ok|✘)/.test(line)).map((line) => line.trim()).slice(0, 10);
    console.log(`stress ${kind.name} round ${round}/${rounds}: FAILED in ${seconds} s (${file})\n  ${failing.join('\n  ')}`);
  }
}
const summary = [...tally].map(([name, { runs, failed }]) => `${name}: ${failed} of ${runs} runs failed`).join('; ');
console.log(`stress: ${summary}`);
process.exitCode = [...tally.values()].some((counts) => counts.failed > 0) ? 1 : 0;
