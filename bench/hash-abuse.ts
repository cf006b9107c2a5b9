// Issue 28, H1: one owner's refused bodies must not slow another owner's upload through the one
// hashing thread. Times a victim's 32 MiB upload (under a Content-Digest) alone, then while an
// attacker holding a 1 GiB partial upload loops a 1-byte append with a wrong Content-Digest and an
// empty append. Both in the same run, on one server process.
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { forkFerry } from '../testkit/ferry.js';

const MiB = 1024 * 1024;

interface Session {
  cookie: string;
}

async function owner(url: string): Promise<Session> {
  const answer = await fetch(`${url}/status`, { headers: { 'x-file-id': 'warm-up' } });
  return { cookie: answer.headers.get('set-cookie')!.split(';', 1)[0]! };
}

async function append(url: string, who: Session, id: string, start: number, body: Uint8Array, headers: Record<string, string> = {}): Promise<number> {
  const answer = await fetch(`${url}/upload`, { method: 'POST', headers: { cookie: who.cookie, 'x-file-id': id, 'x-start-byte': String(start), ...headers }, body: body as Uint8Array<ArrayBuffer> });
  await answer.arrayBuffer();
  return answer.status;
}

const digest = (bytes: Uint8Array) => `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;

export interface HashAbuse {
  aloneMs: number;
  attackedMs: number;
  attackPairs: number;
}

export async function measureHashAbuse(dataDir: string, heldBytes = 1024 * MiB, victimBytes = 32 * MiB, rounds = 3): Promise<HashAbuse> {
  const ferry = await forkFerry({ dataDir, env: { LOG_LEVEL: 'warn' } });
  try {
    const attacker = await owner(ferry.url);
    const victim = await owner(ferry.url);
    const slab = randomBytes(64 * MiB);
    for (let at = 0; at < heldBytes; at += slab.length) {
      await append(ferry.url, attacker, 'held', at, slab, { 'x-file-size': String(heldBytes + 1) });
    }
    const file = randomBytes(victimBytes);
    let uploads = 0;
    const timeVictim = async () => {
      const id = `victim-${uploads++}`;
      const started = performance.now();
      for (let at = 0; at < file.length; at += 8 * MiB) {
        const body = file.subarray(at, at + 8 * MiB);
        const status = await append(ferry.url, victim, id, at, body, { 'x-file-size': String(file.length), 'content-digest': digest(body) });
        if (status !== 200) throw new Error(`victim append answered ${status}`);
      }
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const alone: number[] = [];
    for (let round = 0; round < rounds; round++) alone.push(await timeVictim());

    let attacking = true;
    let attackPairs = 0;
    const attack = (async () => {
      while (attacking) {
        await append(ferry.url, attacker, 'held', heldBytes, Buffer.from([1]), { 'content-digest': digest(Buffer.from('not this')) });
        await append(ferry.url, attacker, 'held', heldBytes, Buffer.alloc(0));
        attackPairs += 1;
      }
    })();
    const attacked: number[] = [];
    try {
      for (let round = 0; round < rounds; round++) attacked.push(await timeVictim());
    } finally {
      attacking = false;
      await attack;
    }
    return { aloneMs: median(alone), attackedMs: median(attacked), attackPairs };
  } finally {
    await ferry.stop();
  }
}
