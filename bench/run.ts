// npm run bench [-- --quick]: Ferry's server against a minimal node:http sink on the
// same disk, both fed by curl from a file. Prints a table and writes
// bench/results/latest.json. Asserts nothing; never part of npm test.
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measureBrowser } from './browser.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const MiB = 1024 * 1024;

const quick = process.argv.includes('--quick');
const fileBytes = (quick ? 256 : 1024) * MiB;
const rounds = quick ? 1 : 3;

interface Served {
  url: string;
  child: ChildProcess;
}

async function serve(script: string, env: Record<string, string>): Promise<Served> {
  const child = fork(script, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Peak resident set size of a process so far, from the kernel's high-water mark. */
async function peakRssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** POST the file with curl, streamed from disk (-T), and return seconds. */
async function curlPost(url: string, file: string, headers: string[]): Promise<number> {
  const args = ['-sS', '-f', '-o', '/dev/null', '-w', '%{time_total}', '-X', 'POST', '-T', file, '-H', 'Expect:'];
  for (const header of headers) args.push('-H', header);
  const { stdout } = await run('curl', [...args, url], { maxBuffer: 1 << 20 });
  return Number(stdout);
}

async function makeFile(file: string, bytes: number): Promise<void> {
  const handle = await open(file, 'w');
  const block = randomBytes(8 * MiB);
  for (let written = 0; written < bytes; written += block.length) await handle.write(block, 0, Math.min(block.length, bytes - written));
  await handle.close();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-'));
  const source = path.join(work, 'source.bin');
  await makeFile(source, fileBytes);
  const sinkDir = path.join(work, 'sink');
  const dataDir = path.join(work, 'data');
  await mkdir(sinkDir);

  const sink = await serve(path.join(here, 'sink.js'), { SINK_DIR: sinkDir });
  const ferry = await serve(path.join(root, 'build/server/main.js'), { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const sinkSeconds: number[] = [];
  const ferrySeconds: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      sinkSeconds.push(await curlPost(`${sink.url}/`, source, []));
      ferrySeconds.push(await curlPost(`${ferry.url}/upload`, source, [
        `X-File-Id: bench-${round}`, 'X-Start-Byte: 0', `X-File-Size: ${fileBytes}`,
      ]));
    }
    const plainCopy = path.join(work, 'source-copy.bin');
    await copyFile(source, plainCopy);
    const browser = await measureBrowser(ferry.url, source, plainCopy, fileBytes);
    const mbps = (seconds: number) => fileBytes / 1e6 / seconds;
    const results = {
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version },
      fileMiB: fileBytes / MiB,
      rounds,
      throughput: {
        ferryMBps: browser.ferryMBps,
        xhrMBps: browser.xhrMBps,
        ratioVsXhr: browser.ratioVsXhr,
      },
      handover: { seconds: browser.handoverSeconds, firstRowSeconds: browser.firstRowSeconds },
      integrity: { digestsOnSeconds: browser.ferrySeconds, digestsOffSeconds: browser.noDigestSeconds, ratio: browser.integrityRatio },
      server: {
        sinkMBps: mbps(median(sinkSeconds)),
        ferryMBps: mbps(median(ferrySeconds)),
        ratioVsSink: median(sinkSeconds) / median(ferrySeconds),
      },
      memory: {
        serverPeakRssMB: await peakRssMB(ferry.child.pid!),
        sinkPeakRssMB: await peakRssMB(sink.child.pid!),
      },
    };
    console.log(`\nFerry server vs a minimal node:http sink, ${results.fileMiB} MiB via curl, median of ${rounds}`);
    console.table({
      'sink (baseline)': { 'MB/s': results.server.sinkMBps.toFixed(0), 'peak RSS MB': results.memory.sinkPeakRssMB.toFixed(0) },
      'Ferry server': { 'MB/s': results.server.ferryMBps.toFixed(0), 'peak RSS MB': results.memory.serverPeakRssMB.toFixed(0) },
    });
    console.log(`Ferry ÷ sink: ${results.server.ratioVsSink.toFixed(2)}`);
    console.log(`\nIn Chromium, ${results.fileMiB} MiB picked in the page`);
    console.table({
      'one XHR POST (baseline)': { 'MB/s': browser.xhrMBps.toFixed(0), seconds: browser.xhrSeconds.toFixed(1) },
      'Ferry service worker': { 'MB/s': browser.ferryMBps.toFixed(0), seconds: browser.ferrySeconds.toFixed(1) },
      'Ferry, digests off': { 'MB/s': (fileBytes / 1e6 / browser.noDigestSeconds).toFixed(0), seconds: browser.noDigestSeconds.toFixed(1) },
    });
    console.log(`Ferry ÷ XHR: ${browser.ratioVsXhr.toFixed(2)}; hand-over (pick to stored): ${browser.handoverSeconds.toFixed(2)} s; pick to first row: ${browser.firstRowSeconds.toFixed(2)} s`);
    console.log(`Integrity cost: digests on ÷ off = ${browser.integrityRatio.toFixed(2)}`);
    await mkdir(path.join(root, 'bench/results'), { recursive: true });
    await writeFile(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    sink.child.kill();
    ferry.child.kill();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
