// One bench row alone, for A/B runs while changing something:
//   node build/bench/one.js cpu [MiB] [--no-digests] [--rounds=N]   CPU per GiB of Ferry, XHR and tus-js-client on loopback (rounds in alternate orders)
//   node build/bench/one.js profile [MiB]   where that CPU goes, by process and by user code, page faults, page-cache copies (perf, root)
//   node build/bench/one.js cluster-cpu [MiB]   CPU per GiB of Ferry's worker through the cluster (nginx, 2 instances, Ceph, Redis)
//   node build/bench/one.js batch [n]   n × 200 KB files, Ferry vs tus-js-client
//   node build/bench/one.js link <MB/s> [MiB]
//   node build/bench/one.js phone [MiB] [slowdown] [MB/s]   renderers slowed (4 ×), a 10 MB/s link: Ferry vs tus-js-client
//   node build/bench/one.js digests [MiB]   WebCrypto's SHA-256 and Blob reads in a page, against node:crypto
//   node build/bench/one.js abuse [held MiB]   another owner's 32 MiB upload alone and while an attacker loops refused bodies
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MiB } from './app-session.js';
import { measureBatch } from './batch.js';
import type { CpuUse } from './cpu.js';
import { makeFile } from './files.js';
import { pauseHostMemory } from './host-memory.js';
import { measureHashAbuse } from './hash-abuse.js';
import { measureCpu } from './cpu-per-gib.js';
import { measureClusterCpu } from './cluster-cpu.js';
import { profileUploads, showProfile } from './kernel-profile.js';
import { measureLink } from './links.js';
import { measurePhone, phoneUnavailable } from './phone.js';
import { measureDigestSpeeds } from './webcrypto-speed.js';

const show = (use: CpuUse) => `${use.seconds.toFixed(2)} s/GiB (${Object.entries(use.byKind).sort((a, b) => b[1] - a[1]).map(([kind, seconds]) => `${kind} ${seconds.toFixed(2)}`).join(', ')})`;

const [row, first, second] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const digests = !process.argv.includes('--no-digests');
const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-one-'));
const hostMemory = pauseHostMemory();
console.log(hostMemory.note);
try {
  if (row === 'cpu') {
    const bytes = Number(first ?? 1024) * MiB;
    const rounds = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.slice('--rounds='.length) ?? 1);
    const results = await measureCpu(work, await makeFile(path.join(work, 'cpu.bin'), bytes), bytes, { digests, rounds });
    console.log(`ferry ${show(results.ferry)}\nxhr   ${show(results.xhr)}\ntus   ${show(results.tus)}\nseconds ${JSON.stringify(results.seconds)}\nFerry ÷ tus-js-client by round ${results.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}; mean ${(results.ferry.seconds / results.tus.seconds).toFixed(2)}`);
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
  } else if (row === 'digests') {
    const speeds = await measureDigestSpeeds(await makeFile(path.join(work, 'digests.bin'), Number(first ?? 512) * MiB));
    const line = (name: string, rate: number) => `${name.padEnd(44)} ${rate.toFixed(0).padStart(5)} MB/s  (${(1024 ** 3 / 1e6 / rate).toFixed(2)} s a GiB)`;
    console.log([
      line('WebCrypto SHA-256, 1 MiB buffers', speeds.webCrypto1MiB),
      line('WebCrypto SHA-256, 64 MiB buffers', speeds.webCrypto64MiB),
      line('read 64 MiB slices of a picked file', speeds.read64MiB),
      line('read and WebCrypto SHA-256, 64 MiB slices', speeds.readAndDigest64MiB),
      line('node:crypto SHA-256, 1 MiB buffers', speeds.node1MiB),
    ].join('\n'));
  } else {
    console.error('usage: node build/bench/one.js cpu [MiB] | profile [MiB] | cluster-cpu [MiB] | batch [files] | link <MB/s> [MiB] | phone [MiB] [slowdown] [MB/s] | abuse [held MiB] | digests [MiB]');
    process.exitCode = 2;
  }
} finally {
  hostMemory.restore();
  await rm(work, { recursive: true, force: true });
}
