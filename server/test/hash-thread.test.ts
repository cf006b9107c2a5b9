// The hashing thread is shared by every owner: one owner's long read must not hold another's
// small digest behind it (issue 28, H1).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { feedBytes, feedFromFile, runningHash } from '../hash-thread.js';
import { MiB, randomFile, tempDir } from './helpers.js';

describe('hashing thread', () => {
  it('takes owners in turn: a small digest is not queued behind another owner\'s 128 MiB read', async () => {
    const file = path.join(await tempDir(), 'big');
    const bytes = randomFile(128 * MiB);
    await writeFile(file, bytes);
    const order: string[] = [];
    const attacker = runningHash('sha256', 'attacker');
    const reading = feedFromFile([attacker], file, 0, bytes.length).then(() => order.push('attacker'));
    const victim = runningHash('sha256', 'victim');
    const small = randomFile(64 * 1024);
    const answered = feedBytes([victim], [small]).then(() => victim.digest()).then((digest) => {
      order.push('victim');
      return digest;
    });
    assert.equal((await answered).toString('hex'), createHash('sha256').update(small).digest('hex'));
    await reading;
    assert.deepEqual(order, ['victim', 'attacker']);
    assert.equal((await attacker.digest()).toString('hex'), createHash('sha256').update(bytes).digest('hex'), 'sliced, the read still hashes the whole file');
  });

  it('copies a hash, and the copy goes on from where the original stood', async () => {
    const hash = runningHash('sha256', 'owner');
    await feedBytes([hash], [Buffer.from('hello ')]);
    const copy = hash.copy();
    await feedBytes([hash], [Buffer.from('world')]);
    await feedBytes([copy], [Buffer.from('there')]);
    assert.equal((await hash.digest()).toString('hex'), createHash('sha256').update('hello world').digest('hex'));
    assert.equal((await copy.digest()).toString('hex'), createHash('sha256').update('hello there').digest('hex'));
  });
});
