// How fast Chromium reads and hashes a picked file in a page, against Node's own SHA-256 in the
// same run (issue 34): the floor under the worker's integrity digests, whatever the loop around them.
// Each digest and each read is timed by the page's clock, one at a time, so MB/s here is one thread's.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium, pickInOwnInput } from '../testkit/chromium.js';
import { MiB } from './app-session.js';

export interface DigestSpeeds {
  /** WebCrypto SHA-256 of one 1 MiB buffer at a time (its copy stays in cache). */
  webCrypto1MiB: number;
  /** WebCrypto SHA-256 of 64 MiB buffers, the worker's largest chunk. */
  webCrypto64MiB: number;
  /** `slice().arrayBuffer()` of 64 MiB stretches of the picked file. */
  read64MiB: number;
  /** Both, as the worker does for each chunk. */
  readAndDigest64MiB: number;
  /** Node's createHash('sha256') over 1 MiB buffers: the same machine's native SHA-256. */
  node1MiB: number;
}

/** MB/s of each, for the file at `file` (at least 64 MiB). */
export async function measureDigestSpeeds(file: string): Promise<DigestSpeeds> {
  // WebCrypto is only there in a secure context: a page from 127.0.0.1, not about:blank.
  const server = createServer((_req, res) => res.end('<!doctype html><title>digest speed</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { page, close } = await launchChromium();
  try {
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await pickInOwnInput(page, 'source', file);
    const inPage = await page.evaluate(async (MiB) => {
      const picked = document.querySelector<HTMLInputElement>('#source')!.files![0]!;
      const rate = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
      const timed = async (bytes: number, run: () => Promise<unknown>) => {
        const start = performance.now();
        await run();
        return rate(bytes, performance.now() - start);
      };
      const small = new Uint8Array(MiB).fill(7);
      const large = new Uint8Array(64 * MiB).fill(7);
      const slices = Math.floor(picked.size / (64 * MiB));
      const eachSlice = async (work: (bytes: Uint8Array<ArrayBuffer>) => Promise<unknown>) => {
        for (let i = 0; i < slices; i++) await work(new Uint8Array(await picked.slice(i * 64 * MiB, (i + 1) * 64 * MiB).arrayBuffer()));
      };
      return {
        webCrypto1MiB: await timed(512 * MiB, async () => { for (let i = 0; i < 512; i++) await crypto.subtle.digest('SHA-256', small); }),
        webCrypto64MiB: await timed(512 * MiB, async () => { for (let i = 0; i < 8; i++) await crypto.subtle.digest('SHA-256', large); }),
        read64MiB: await timed(slices * 64 * MiB, () => eachSlice(async () => undefined)),
        readAndDigest64MiB: await timed(slices * 64 * MiB, () => eachSlice((bytes) => crypto.subtle.digest('SHA-256', bytes))),
      };
    }, MiB);
    return { ...inPage, node1MiB: nodeSha256Rate(await firstMiB(file)) };
  } finally {
    await close();
    server.close();
  }
}

async function firstMiB(file: string): Promise<Buffer> {
  const handle = await open(file);
  try {
    const { buffer } = await handle.read(Buffer.alloc(MiB), 0, MiB, 0);
    return buffer;
  } finally {
    await handle.close();
  }
}

function nodeSha256Rate(buffer: Buffer): number {
  const start = performance.now();
  for (let i = 0; i < 512; i++) createHash('sha256').update(buffer).digest();
  return (512 * buffer.length) / 1e6 / ((performance.now() - start) / 1000);
}
