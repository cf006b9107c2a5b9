// One round of the schedule: one upload, in a protocol drawn at random, carried to completion
// through steps drawn at random (appends whole, cut directly or behind a middlebox, racing;
// statuses at random moments; a server killed or stopped mid-append), each answer checked by
// the model. It ends with the stored file's SHA-256.
import { createHash } from 'node:crypto';
import { DIALECTS, dialects, type Dialect, type Where } from './dialects.js';
import { UploadModel } from './model.js';
import type { Rng } from './rng.js';
import type { ChaosTarget, ProcessFault } from './targets.js';
import { send, type Reply } from './wire.js';

const MiB = 1024 * 1024;
const MAX_STEPS = 400;
const MIDDLEBOX = { bytesPerSecond: 4 * MiB, holdBytes: 256 * 1024 };

export type Step = 'status' | 'append' | 'cut' | 'held cut' | 'race' | 'status during append' | 'fault';

export class Tally {
  rounds = 0;
  steps: Partial<Record<Step, number>> = {};
  faults: Partial<Record<ProcessFault, number>> = {};
  promisesKept = 0;
  violations: string[] = [];

  count(step: Step): void {
    this.steps[step] = (this.steps[step] ?? 0) + 1;
  }
}

const STEP_WEIGHTS: Record<Step, number> = { status: 12, append: 40, cut: 16, 'held cut': 12, race: 7, 'status during append': 6, fault: 7 };

export async function runRound(target: ChaosTarget, cookie: string, rng: Rng, label: string, tally: Tally): Promise<string[]> {
  const dialect = dialects[rng.pick(DIALECTS)];
  const size = rng.chance(0.3) ? rng.int(1, 256 * 1024) : rng.int(256 * 1024, 4 * MiB);
  const model = new UploadModel(`${label} (${dialect.name}, ${size} bytes)`, rng.bytes(size));
  const port = () => target.proxy.port;
  let path: string | undefined;
  while (!(path = await dialect.create(port(), cookie, label.replace(/\W+/g, '-'), size))) await pause(200);
  const where = path;
  // Ferry's protocol has no creation: its first step asks where the upload stands.
  let known: number | undefined = dialect.name === 'ferry' ? undefined : 0;

  const status = async (): Promise<Where | undefined> => {
    const said = await dialect.status(port(), cookie, where);
    if (said) model.statusSaid(said);
    return said;
  };
  /** An append from `start`, cut after `cutAfter` body bytes when given; the model hears its answer. */
  const append = async (start: number, cutAfter?: number, promised?: number): Promise<Reply | undefined> => {
    const length = rng.chance(0.4) ? model.size - start : rng.int(Math.min(1, model.size - start), model.size - start);
    const body = model.bytes.subarray(start, start + length);
    const reply = await send(port(), { ...dialect.append(where, cookie, start, body, model.size), ...(cutAfter === undefined ? {} : { cutAfter: Math.min(cutAfter, length) }) });
    hear(dialect, model, start, length, reply, promised, tally);
    return reply;
  };
  const next = (reply: Reply | undefined): number | undefined => (reply ? dialect.acknowledged(reply) : undefined);

  for (let step = 0; !model.complete; step++) {
    if (step === MAX_STEPS) {
      return [...model.violations, `${model.label}: not complete after ${MAX_STEPS} steps (${model.acked} bytes acknowledged)`, ...model.history.slice(-40).map((line) => `    ${line}`)];
    }
    if (known === undefined) {
      known = (await status())?.offset;
      if (known === undefined) await pause(100);
      continue;
    }
    const kind = rng.weighted(target.faults.length > 0 ? STEP_WEIGHTS : { ...STEP_WEIGHTS, fault: 0 });
    tally.count(kind);
    model.note(`step ${step}: ${kind} from ${known}`);
    const promised = model.takePromise();
    const start: number = known;
    switch (kind) {
      case 'status':
        known = (await status())?.offset;
        break;
      case 'append':
        known = next(await append(start, undefined, promised));
        break;
      case 'cut':
        await append(start, rng.int(0, 512 * 1024), promised);
        known = undefined;
        break;
      case 'held cut': {
        target.proxy.hold(MIDDLEBOX);
        const cut = append(start, rng.int(0, 512 * 1024), promised);
        await pause(1);
        target.proxy.hold(undefined);
        await cut;
        known = undefined;
        break;
      }
      case 'race': {
        const racers = [append(start, rng.chance(0.5) ? rng.int(0, 256 * 1024) : undefined), append(start)];
        await Promise.all(racers);
        model.forgetPromise();
        known = undefined;
        break;
      }
      case 'status during append': {
        const running = append(start, undefined, promised);
        await pause(rng.int(0, 30));
        const said = await status();
        const acked = next(await running);
        known = said === undefined ? undefined : Math.max(said.offset, acked ?? 0);
        break;
      }
      case 'fault': {
        const fault = rng.pick(target.faults);
        const running = append(start, undefined, promised);
        await pause(rng.int(0, 40));
        tally.faults[fault] = (tally.faults[fault] ?? 0) + 1;
        model.note(`fault: ${fault}`);
        await target.inject(fault);
        await running;
        // A status asked before a restart promises nothing after it (docs/protocol.md).
        model.forgetPromise();
        known = undefined;
        break;
      }
    }
  }
  await checkStored(target, cookie, dialect, where, model);
  return model.violations.length === 0 ? [] : [...model.violations, ...model.history.slice(-40).map((line) => `    ${line}`)];
}

function hear(dialect: Dialect, model: UploadModel, start: number, length: number, reply: Reply | undefined, promised: number | undefined, tally: Tally): void {
  model.note(`append ${start}+${length}${promised === start ? ' (promised)' : ''}: ${reply ? `${reply.status} ${reply.headers['upload-offset'] ?? reply.text.slice(0, 80)}` : 'no answer'}`);
  if (!reply) return;
  const acked = dialect.acknowledged(reply);
  if (acked !== undefined) {
    model.appended(start, length, acked);
    if (promised === start) tally.promisesKept++;
  } else if (dialect.offsetRefused(reply)) {
    model.offsetRefused(start, dialect.heldIn(reply), promised);
  }
}

async function checkStored(target: ChaosTarget, cookie: string, dialect: Dialect, where: string, model: UploadModel): Promise<void> {
  const id = dialect.name === 'ferry' ? where : where.split('/').pop()!;
  const expected = createHash('sha256').update(model.bytes).digest('hex');
  let listed: string | undefined;
  let stored = '';
  let answers = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const list = await send(target.proxy.port, { method: 'GET', path: '/files', headers: { cookie } });
    const download = await send(target.proxy.port, { method: 'GET', path: `/files/${encodeURIComponent(id)}`, headers: { cookie } });
    answers = `list ${list?.status ?? 'none'}, download ${download?.status ?? 'none'} ${download?.text.slice(0, 200) ?? ''}`;
    if (list?.status === 200 && download?.status === 200) {
      listed = (JSON.parse(list.text) as Array<{ id: string; sha256: string }>).find((file) => file.id === id)?.sha256;
      stored = createHash('sha256').update(Buffer.from(download.text, 'latin1')).digest('hex');
      break;
    }
    await pause(250); // a server coming back up
  }
  model.finished(stored || `missing (${answers})`, listed, expected);
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
