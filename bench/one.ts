// One bench row alone, for A/B runs while changing something:
//   node build/bench/one.js cpu [MiB] [--no-digests]   CPU per GiB of Ferry, XHR and tus-js-client on loopback
//   node build/bench/one.js profile [MiB]   where that CPU goes, by process and by user code, page faults, page-cache copies (perf, root)
//   node build/bench/one.js cluster-cpu [MiB]   CPU per GiB of Ferry's worker through the cluster (nginx, 2 instances, Ceph, Redis)
//   node build/bench/one.js batch [n]   n × 200 KB files, Ferry vs tus-js-client
//   node build/bench/one.js link <MB/s> [MiB]
//   node build/bench/one.js phone [MiB] [slowdown] [MB/s]   renderers slowed (4 ×), a 10 MB/s link: Ferry vs tus-js-client
//   node build/bench/one.js abuse [held MiB]   another owner's 32 MiB upload alone and while an attacker loops refused bodies
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MiB } from './app-session.js';
import { measureBatch } from './batch.js';
import type { CpuUse } from './cpu.js';
import { makeFile } from './files.js';
import { pausePageReporting } from './host-memory.js';
import { measureHashAbuse } from './hash-abuse.js';
import { measureCpu } from './cpu-per-gib.js';
import { measureClusterCpu } from './cluster-cpu.js';
import { profileUploads, showProfile } from './kernel-profile.js';
import { measureLink } from './links.js';
import { measurePhone, phoneUnavailable } from './phone.js';

const show = (use: CpuUse) => `${use.seconds.toFixed(2)} s/GiB (${Object.entries(use.byKind).sort((a, b) => b[1] - a[1]).map(([kind, seconds]) => `${kind} ${seconds.toFixed(2)}`).join(', ')})`;

const [row, first, second] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const digests = !process.argv.includes('--no-digests');
const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-one-'));
const pageReporting = pausePageReporting();
console.log(pageReporting.note);
try {
  if (row === 'cpu') {
    const bytes = Number(first ?? 1024) * MiB;
    const results = await measureCpu(work, await makeFile(path.join(work, 'cpu.bin'), bytes), bytes, { digests });
    console.log(`ferry ${show(results.ferry)}\nxhr   ${show(results.xhr)}\ntus   ${show(results.tus)}\nseconds ${JSON.stringify(results.seconds)}`);
  } else if (row === 'profile') {
    const bytes = Number(first ?? 512) * MiB;
    const profiles = await profileUploads(work, await makeFile(path.join(work, 'profile.bin'), bytes), bytes);
    for (const [upload, profile] of Object.entries(profiles)) console.log(`${upload}, seconds of CPU per GiB:\n${showProfile(profile)}`);
  } else if (row === 'cluster-cpu') {
    const bytes = Number(first ?? 1024) * MiB;
    const result = await measureClusterCpu(work, await makeFile(path.join(work, 'cluster-cpu.bin'), bytes), bytes);
    console.log(`ferry via cluster ${show(result.use)}\nseconds ${result.seconds}`);
  } else if (row === 'batch') {
    console.log(await measureBatch(work, Number(first ?? 300)));
  } else if (row === 'link') {
    const bytes = Number(second ?? 256) * MiB;
    const results = await measureLink(work, await makeFile(path.join(work, 'link.bin'), bytes), Number(first) * 1e6);
    const rate = (seconds: number) => (bytes / 1e6 / seconds).toFixed(1);
    const ratio = (baseline: number) => (baseline / results.ferrySeconds).toFixed(3);
    console.log(`Ferry ${rate(results.ferrySeconds)} MB/s (${results.ferrySeconds} s), XHR ${rate(results.xhrSeconds)} (${results.xhrSeconds} s), tus ${rate(results.tusSeconds)} (${results.tusSeconds} s): ${ratio(results.xhrSeconds)} × XHR, ${ratio(results.tusSeconds)} × tus; intact ${results.intact}`);
  } else if (row === 'phone') {
    const bytes = Number(first ?? 128) * MiB;
    const [slowdown, rate] = [Number(second ?? 4), Number(process.argv.filter((arg) => !arg.startsWith('--'))[5] ?? 10) * 1e6];
    const unavailable = await phoneUnavailable();
    if (unavailable) throw new Error(`the phone row slows renderers with a cgroup: ${unavailable}`);
    const result = await measurePhone(work, await makeFile(path.join(work, 'phone.bin'), bytes), rate, slowdown);
    const rateOf = (seconds: number) => (bytes / 1e6 / seconds).toFixed(1);
    console.log(`renderers ${slowdown} × slower, ${rate / 1e6} MB/s link: Ferry ${rateOf(result.ferrySeconds)} MB/s (${result.ferrySeconds} s), tus-js-client ${rateOf(result.tusSeconds)} (${result.tusSeconds} s): ${(result.tusSeconds / result.ferrySeconds).toFixed(3)} × tus; intact ${result.intact}`);
  } else if (row === 'abuse') {
    const result = await measureHashAbuse(path.join(work, 'data'), Number(first ?? 1024) * MiB);
    console.log(`victim's 32 MiB: alone ${result.aloneMs.toFixed(0)} ms, attacked ${result.attackedMs.toFixed(0)} ms (${(result.attackedMs / result.aloneMs).toFixed(2)} ×; ${result.attackPairs} attack pairs)`);
  } else {
    console.error('usage: node build/bench/one.js cpu [MiB] | profile [MiB] | cluster-cpu [MiB] | batch [files] | link <MB/s> [MiB] | phone [MiB] [slowdown] [MB/s] | abuse [held MiB]');
    process.exitCode = 2;
  }
} finally {
  pageReporting.restore();
  await rm(work, { recursive: true, force: true });
}
