// The server alone, fed without a browser: curl with one big file, and a node
// client with many concurrent uploads. Each against a minimal node:http sink that
// streams to the same disk, started fresh so that its peak memory is its own.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { forkFerry, type FerryProcess } from '../testkit/ferry.js';
import { forkServer, type Served } from '../testkit/processes.js';
import { median } from './app-session.js';
import { peakRssMB, settleDisk } from './processes.js';

const run = promisify(execFile);
const here = import.meta.dirname;

export function startFerry(dataDir: string): Promise<FerryProcess> {
  return forkFerry({ dataDir, env: { LOG_LEVEL: 'warn' } });
}

async function startSink(dir: string): Promise<Served> {
  await mkdir(dir, { recursive: true });
  return forkServer(path.join(here, 'sink.js'), { env: { SINK_DIR: dir } });
}

/**
 * POST `file` with curl and return its seconds. `-T` with `-X POST` is the streamed form of
 * `--data-binary @file`, which reads the file into memory first and refuses 1 GiB ("out of memory").
 */
export async function curlPost(url: string, file: string, headers: string[]): Promise<number> {
  const args = ['-sS', '-f', '-o', '/dev/null', '-w', '%{time_total}', '-X', 'POST', '-T', file, '-H', 'Expect:', '-H', 'Content-Type: application/octet-stream'];
  for (const header of headers) args.push('-H', header);
  const { stdout } = await run('curl', [...args, url], { maxBuffer: 1 << 20 });
  return Number(stdout);
}

export interface Versus {
  sinkSeconds: number;
  ferrySeconds: number;
  sinkPeakRssMB: number;
  ferryPeakRssMB: number;
}

/**
 * A fresh sink and a fresh Ferry (so each peak RSS belongs to this load), fed alternately for
 * `rounds` rounds (the disk drifts), with `sync` before each timed step; medians.
 */
async function versusSink(
  work: string,
  label: string,
  rounds: number,
  timeSink: (url: string) => Promise<number>,
  timeFerry: (url: string, round: number) => Promise<number>,
): Promise<Versus> {
  const sink = await startSink(path.join(work, `${label}-sink`));
  const ferry = await startFerry(path.join(work, `${label}-data`));
  try {
    const sinkSeconds: number[] = [];
    const ferrySeconds: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await settleDisk();
      sinkSeconds.push(await timeSink(sink.url));
      await settleDisk();
      ferrySeconds.push(await timeFerry(ferry.url, round));
    }
    return {
      sinkSeconds: median(sinkSeconds),
      ferrySeconds: median(ferrySeconds),
      sinkPeakRssMB: await peakRssMB(sink.child.pid!),
      ferryPeakRssMB: await peakRssMB(ferry.child.pid!),
    };
  } finally {
    await sink.stop();
    await ferry.stop();
  }
}

/** One big file with curl. */
export function curlVersusSink(work: string, file: string, bytes: number, rounds: number): Promise<Versus> {
  return versusSink(work, 'curl', rounds,
    (url) => curlPost(`${url}/`, file, []),
    (url, round) => curlPost(`${url}/upload`, file, [`X-File-Id: curl-${round}`, 'X-Start-Byte: 0', `X-File-Size: ${bytes}`]));
}

/** Stream `file` as one POST; resolve on 200. */
export function post(url: string, file: string, bytes: number, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(bytes) } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`${url} answered ${response.statusCode}`))));
    });
    request.on('error', reject);
    createReadStream(file).pipe(request);
  });
}

export async function concurrently(count: number, send: (index: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, (_, index) => send(index)));
  return (performance.now() - started) / 1000;
}

/** `count` concurrent uploads of `file` from a Node client. */
export function scaleVersusSink(work: string, file: string, bytes: number, count: number, rounds: number): Promise<Versus> {
  return versusSink(work, 'scale', rounds,
    (url) => concurrently(count, () => post(`${url}/`, file, bytes, {})),
    (url, round) => concurrently(count, (index) => post(`${url}/upload`, file, bytes, {
      'X-File-Id': `scale-${round}-${index}`, 'X-Start-Byte': '0', 'X-File-Size': String(bytes),
    })));
}
