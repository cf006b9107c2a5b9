// The bench's source files: random bytes, so no compression or deduplication flatters anyone.
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { MiB } from './app-session.js';

/** Write `bytes` random bytes to `file` (8 MiB of randomness repeated) and return its path. */
export async function makeFile(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'w');
  const block = randomBytes(8 * MiB);
  for (let written = 0; written < bytes; written += block.length) await handle.write(block, 0, Math.min(block.length, bytes - written));
  await handle.close();
  return file;
}
