// npm run bench [-- --quick]: Ferry against baselines measured in the same run.
// Prints one table and writes bench/results/latest.json. Asserts nothing; never in CI.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MiB } from './app-session.js';
import { ensureClusterDaemons } from '../testkit/packages.js';
import { measureBatch } from './batch.js';
import { measureBrowser } from './browser.js';
import { chartSvg } from './chart.js';
import { measureCpu } from './cpu-per-gib.js';
import { measureOnline, measureProgress, measureResume } from './faults.js';
import { pauseHostMemory } from './host-memory.js';
import { makeFile } from './files.js';
import { measureIntegrityAtLink } from './integrity-link.js';
import { measureLink, type LinkResults } from './links.js';
import { measureTus, measureWorkerToTus } from './peer.js';
import { phoneRow } from './phone.js';
import { printTable, type Row } from './report.js';
import { clusterVersusSingle, type ClusterVersusSingle } from './cluster-bench.js';
import { curlVersusSink, scaleVersusSink, startFerry } from './server-bench.js';

const root = path.resolve(import.meta.dirname, '../..');
const quick = process.argv.includes('--quick');
const sizes = {
  big: (quick ? 256 : 1024) * MiB,
  resume: 256 * MiB,
  online: (quick ? 64 : 128) * MiB,
  progress: (quick ? 2 : 5) * MiB,
  linkIntegrity: (quick ? 64 : 256) * MiB,
  link: 256 * MiB,
  phone: (quick ? 64 : 128) * MiB,
  scaleEach: 20 * MiB,
};
const scaleCount = 50;
const BATCH_FILES = 300;
const BATCH_FILE_BYTES = 200_000;
const curlRounds = quick ? 1 : 3;
/** The CPU row's rounds, each order in turn (the host's drift moves one round's ratio by ±15%). */
const cpuRounds = quick ? 1 : 2;
/** A fast real uplink (about 320 Mbit/s), for the price of digests where the link sets the pace. */
const LINK_BYTES_PER_SECOND = 40e6;

const MBps = (bytes: number, seconds: number) => bytes / 1e6 / seconds;
const log = (step: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${step}`);

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-'));
  const at = (name: string) => path.join(work, name);
  const hostMemory = pauseHostMemory();
  log(hostMemory.note);
  try {
    log(`making files (${sizes.big / MiB} MiB)`);
    const big = await makeFile(at(`big-${sizes.big / MiB}MiB.bin`), sizes.big);
    const bigCopy = at(`big-copy-${sizes.big / MiB}MiB.bin`);
    await copyFile(big, bigCopy);
    const scaleFile = await makeFile(at('scale.bin'), sizes.scaleEach);

    log('curl: Ferry server vs node:http sink');
    const curl = await curlVersusSink(work, big, sizes.big, curlRounds);
    log(`scale: ${scaleCount} × ${sizes.scaleEach / MiB} MiB, ${curlRounds} rounds`);
    const scale = await scaleVersusSink(work, scaleFile, sizes.scaleEach, scaleCount, curlRounds);
    log(`cluster: ${scaleCount} × ${sizes.scaleEach / MiB} MiB through nginx, 2 instances, Ceph, Redis vs one instance on the filesystem`);
    const cluster = await clusterRow(work, scaleFile, sizes.scaleEach, scaleCount, curlRounds);

    const ferry = await startFerry(at('data'));
    let browser, resume, online, progress, linkIntegrity;
    try {
      log('browser: XHR, Ferry, Ferry without digests');
      browser = await measureBrowser(ferry.url, big, bigCopy);
      log('resume: 5 cuts');
      resume = await measureResume(ferry, await makeFile(at('resume.bin'), sizes.resume), sizes.resume);
      log('online: 5 × offline and back');
      online = await measureOnline(ferry, await makeFile(at('online.bin'), sizes.online), sizes.online);
      log('progress: 256 KiB/s');
      progress = await measureProgress(ferry, await makeFile(at('progress.bin'), sizes.progress), sizes.progress);
      log(`integrity at a ${LINK_BYTES_PER_SECOND / 1e6} MB/s link: digests on, then off`);
      const linkFile = await makeFile(at('link.bin'), sizes.linkIntegrity);
      const linkCopy = at('link-copy.bin');
      await copyFile(linkFile, linkCopy);
      linkIntegrity = await measureIntegrityAtLink(ferry, linkFile, linkCopy, LINK_BYTES_PER_SECOND);
    } finally {
      await ferry.stop();
    }
    log('peer: tus-js-client + @tus/server');
    const peer = await measureTus(work, big);
    const tusSeconds = peer.tusServerSeconds;
    log(`worker → @tus/server vs tus-js-client → @tus/server: loopback (${sizes.big / MiB} MiB), and ${LINK_BYTES_PER_SECOND / 1e6} MB/s (${sizes.linkIntegrity / MiB} MiB)`);
    const toTusLoopback = await measureWorkerToTus(work, big);
    const toTusLink = await measureWorkerToTus(work, await makeFile(at('to-tus-link.bin'), sizes.linkIntegrity), LINK_BYTES_PER_SECOND);
    // Link rows: 10 and 40 MB/s with 256 MiB, and in the full run 100 MB/s with the big file.
    const linkFile = await makeFile(at('link-256MiB.bin'), sizes.link);
    const linkPlan: Array<[rate: number, file: string, bytes: number]> = [[10e6, linkFile, sizes.link], [40e6, linkFile, sizes.link], ...(quick ? [] : [[100e6, big, sizes.big] as [number, string, number]])];
    const links: Record<string, LinkResults & { bytes: number }> = {};
    for (const [rate, file, bytes] of linkPlan) {
      log(`link ${rate / 1e6} MB/s, ${bytes / MiB} MiB: XHR, Ferry, tus-js-client`);
      links[String(rate / 1e6)] = { ...(await measureLink(work, file, rate)), bytes };
    }
    log(`phone-class: renderers 4 × slower, 10 MB/s, ${sizes.phone / MiB} MiB: Ferry, tus-js-client`);
    const phone = await phoneRow(work, await makeFile(at('phone.bin'), sizes.phone));
    log(`CPU per GiB on loopback, ${sizes.big / MiB} MiB: XHR, Ferry, tus-js-client, ${cpuRounds} round(s) in alternate orders`);
    const cpu = await measureCpu(work, big, sizes.big, { rounds: cpuRounds });
    log(`batch: ${BATCH_FILES} × ${BATCH_FILE_BYTES / 1000} KB, Ferry's worker and tus-js-client to @tus/server, 3 at a time`);
    const batch = await measureBatch(work, BATCH_FILES, BATCH_FILE_BYTES);

    const big_ = sizes.big;
    const scaleBytes = sizes.scaleEach * scaleCount;
    const results = {
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, date: new Date().toISOString(), memory: hostMemory.note },
      quick,
      fileMiB: big_ / MiB,
      throughput: {
        ferryMBps: MBps(big_, browser.ferrySeconds),
        xhrMBps: MBps(big_, browser.xhrSeconds),
        curlMBps: MBps(big_, curl.ferrySeconds),
        ratioVsXhr: browser.xhrSeconds / browser.ferrySeconds,
        ratioVsCurl: curl.ferrySeconds / browser.ferrySeconds,
      },
      handover: { seconds: browser.handoverSeconds, firstRowSeconds: browser.firstRowSeconds, idbCopyBaselineSeconds: browser.idbCopySeconds },
      integrity: {
        digestsOnMBps: MBps(big_, browser.ferrySeconds),
        digestsOffMBps: MBps(big_, browser.noDigestSeconds),
        ratio: browser.noDigestSeconds / browser.ferrySeconds,
        atLink: { fileMiB: sizes.linkIntegrity / MiB, ...linkIntegrity },
      },
      resume: { fileMiB: sizes.resume / MiB, ...resume },
      online: { fileMiB: sizes.online / MiB, ...online },
      progress: { fileMiB: sizes.progress / MiB, ...progress },
      memory: {
        serverPeakRssMB: curl.ferryPeakRssMB,
        sinkPeakRssMB: curl.sinkPeakRssMB,
        serverScalePeakRssMB: scale.ferryPeakRssMB,
        sinkScalePeakRssMB: scale.sinkPeakRssMB,
        browserPeakRssMB: browser.ferryPeakRssMB,
        xhrBrowserPeakRssMB: browser.xhrPeakRssMB,
        browserRatioVsXhr: browser.ferryPeakRssMB / browser.xhrPeakRssMB,
      },
      server: { ferryMBps: MBps(big_, curl.ferrySeconds), sinkMBps: MBps(big_, curl.sinkSeconds), ratioVsSink: curl.sinkSeconds / curl.ferrySeconds },
      scale: {
        uploads: scaleCount,
        eachMiB: sizes.scaleEach / MiB,
        ferryMBps: MBps(scaleBytes, scale.ferrySeconds),
        sinkMBps: MBps(scaleBytes, scale.sinkSeconds),
        ratioVsSink: scale.sinkSeconds / scale.ferrySeconds,
      },
      cluster: 'skipped' in cluster ? cluster : {
        uploads: scaleCount,
        eachMiB: sizes.scaleEach / MiB,
        clusterMBps: MBps(scaleBytes, cluster.clusterSeconds),
        singleFsMBps: MBps(scaleBytes, cluster.singleSeconds),
        ratioVsSingleFs: cluster.singleSeconds / cluster.clusterSeconds,
      },
      cpu: {
        fileMiB: big_ / MiB,
        ferrySecondsPerGiB: cpu.ferry.seconds,
        xhrSecondsPerGiB: cpu.xhr.seconds,
        tusSecondsPerGiB: cpu.tus.seconds,
        ratioVsTus: cpu.ferry.seconds / cpu.tus.seconds,
        ratiosByRound: cpu.ratios,
        byProcess: { ferry: cpu.ferry.byKind, xhr: cpu.xhr.byKind, tus: cpu.tus.byKind },
        uploadSeconds: cpu.seconds,
      },
      phone: 'skipped' in phone ? phone : { fileMiB: sizes.phone / MiB, ...phone, ratioVsTus: phone.tusSeconds / phone.ferrySeconds },
      batch: {
        files: batch.files,
        fileKB: batch.fileBytes / 1000,
        ferryFilesPerSecond: batch.files / batch.ferrySeconds,
        tusFilesPerSecond: batch.files / batch.tusSeconds,
        ratioVsTus: batch.tusSeconds / batch.ferrySeconds,
        ferryLongestFrameGapMs: batch.ferryLongestFrameGapMs,
        tusLongestFrameGapMs: batch.tusLongestFrameGapMs,
      },
      peer: {
        tusMBps: MBps(big_, tusSeconds),
        ferryMBps: MBps(big_, browser.ferrySeconds),
        ratioVsTus: tusSeconds / browser.ferrySeconds,
        tusClientToFerryMBps: MBps(big_, peer.ferrySeconds),
        tusClientToFerryVsTusServer: tusSeconds / peer.ferrySeconds,
      },
      links: Object.fromEntries(Object.entries(links).map(([rate, link]) => [rate, {
        fileMiB: link.bytes / MiB,
        ferrySeconds: link.ferrySeconds,
        xhrSeconds: link.xhrSeconds,
        tusSeconds: link.tusSeconds,
        ferryMBps: MBps(link.bytes, link.ferrySeconds),
        xhrMBps: MBps(link.bytes, link.xhrSeconds),
        tusMBps: MBps(link.bytes, link.tusSeconds),
        ratioVsXhr: link.xhrSeconds / link.ferrySeconds,
        ratioVsTus: link.tusSeconds / link.ferrySeconds,
      }])),
      workerToTus: {
        loopback: { fileMiB: big_ / MiB, ferryMBps: MBps(big_, toTusLoopback.ferrySeconds), tusClientMBps: MBps(big_, toTusLoopback.tusSeconds), ratioVsTusClient: toTusLoopback.tusSeconds / toTusLoopback.ferrySeconds },
        link: {
          linkMBps: LINK_BYTES_PER_SECOND / 1e6,
          fileMiB: sizes.linkIntegrity / MiB,
          ferryMBps: MBps(sizes.linkIntegrity, toTusLink.ferrySeconds),
          tusClientMBps: MBps(sizes.linkIntegrity, toTusLink.tusSeconds),
          ratioVsTusClient: toTusLink.tusSeconds / toTusLink.ferrySeconds,
        },
      },
    };

    const f0 = (value: number) => value.toFixed(0);
    const f2 = (value: number) => value.toFixed(2);
    const linkRows: Row[] = Object.entries(results.links).flatMap(([rate, link]) => [
      { measure: `Link ${rate} MB/s, ${link.fileMiB} MiB: vs one XHR (MB/s)`, ferry: f0(link.ferryMBps), baseline: `XHR ${f0(link.xhrMBps)}`, ratio: link.ratioVsXhr, goal: '≥ 0.95 × XHR', met: link.ratioVsXhr >= 0.95 },
      { measure: `Link ${rate} MB/s, ${link.fileMiB} MiB: vs tus-js-client (MB/s)`, ferry: f0(link.ferryMBps), baseline: `tus ${f0(link.tusMBps)}`, ratio: link.ratioVsTus, goal: '≥ 1.0 × tus', met: link.ratioVsTus >= 1 },
    ]);
    const rows: Row[] = [
      ...linkRows,
      { measure: `CPU per GiB on loopback, browser + server (s)`, ferry: f2(results.cpu.ferrySecondsPerGiB), baseline: `tus ${f2(results.cpu.tusSecondsPerGiB)}, XHR ${f2(results.cpu.xhrSecondsPerGiB)}`, ratio: results.cpu.ratioVsTus, goal: '≤ 2 × tus', met: results.cpu.ratioVsTus <= 2 },
      'skipped' in results.phone
        ? { measure: 'Phone-class: renderers 4 × slower, 10 MB/s (MB/s)', ferry: 'skipped', baseline: results.phone.skipped }
        : { measure: `Phone-class: renderers ${results.phone.slowdown} × slower, ${results.phone.bytesPerSecond / 1e6} MB/s, ${results.phone.fileMiB} MiB (MB/s)`, ferry: MBps(sizes.phone, results.phone.ferrySeconds).toFixed(1), baseline: `tus ${MBps(sizes.phone, results.phone.tusSeconds).toFixed(1)}`, ratio: results.phone.ratioVsTus, goal: '≥ 1.0 × tus', met: results.phone.ratioVsTus >= 1 },
      { measure: `Batch, ${batch.files} × ${results.batch.fileKB} KB to @tus/server (files/s)`, ferry: f0(results.batch.ferryFilesPerSecond), baseline: `tus ${f0(results.batch.tusFilesPerSecond)}; longest frame gap ${f0(batch.ferryLongestFrameGapMs)} vs ${f0(batch.tusLongestFrameGapMs)} ms`, ratio: results.batch.ratioVsTus, goal: '≥ 1.0 × tus', met: results.batch.ratioVsTus >= 1 },
      { measure: `Throughput on loopback (CPU-bound), ${big_ / MiB} MiB (MB/s)`, ferry: f0(results.throughput.ferryMBps), baseline: `XHR ${f0(results.throughput.xhrMBps)}, curl ${f0(results.throughput.curlMBps)}`, ratio: results.throughput.ratioVsXhr, goal: '≥ 0.95 × XHR', met: results.throughput.ratioVsXhr >= 0.95 },
      { measure: 'Hand-over, pick → stored (s)', ferry: f2(results.handover.seconds), baseline: `IndexedDB put alone ${f2(results.handover.idbCopyBaselineSeconds)} s; first row ${f2(results.handover.firstRowSeconds)} s`, ratio: results.handover.seconds / results.handover.idbCopyBaselineSeconds, goal: '< 1.5 s', met: results.handover.seconds < 1.5 },
      { measure: 'Integrity digests (MB/s)', ferry: f0(results.integrity.digestsOnMBps), baseline: `digests off ${f0(results.integrity.digestsOffMBps)}`, ratio: results.integrity.ratio, goal: '≥ 0.9 × off', met: results.integrity.ratio >= 0.9 },
      { measure: `Integrity at a ${f0(linkIntegrity.linkMBps)} MB/s link, ${sizes.linkIntegrity / MiB} MiB (s)`, ferry: f2(linkIntegrity.onSeconds), baseline: `digests off ${f2(linkIntegrity.offSeconds)} s`, ratio: linkIntegrity.ratio },
      { measure: `Resume, ${resume.cuts} cuts: bytes sent ÷ size`, ferry: f2(resume.bytesRatio), baseline: `${sizes.resume / MiB} MiB`, goal: '≤ 1.05', met: resume.bytesRatio <= 1.05 },
      { measure: 'Resume: cut → offset moves (median ms)', ferry: f0(resume.medianRecoverMs), baseline: resume.recoverMs.join(' '), goal: '< 1000 ms', met: resume.medianRecoverMs < 1000 },
      { measure: 'Online → first confirmed byte (median ms)', ferry: f0(online.medianMs), baseline: online.latenciesMs.join(' '), goal: '< 500 ms', met: online.medianMs < 500 },
      { measure: 'Slow link: largest gap between messages (ms)', ferry: f0(progress.maxGapMs), baseline: `${progress.messages} messages`, goal: '< 1500 ms', met: progress.maxGapMs < 1500 },
      { measure: 'Slow link: bar behind server (s of transfer)', ferry: f2(progress.maxBarLagSeconds), baseline: '256 KiB/s', goal: '< 1 s', met: progress.maxBarLagSeconds < 1 },
      { measure: `Server peak RSS, ${big_ / MiB} MiB (MB)`, ferry: f0(results.memory.serverPeakRssMB), baseline: `sink ${f0(results.memory.sinkPeakRssMB)}`, ratio: results.memory.serverPeakRssMB / results.memory.sinkPeakRssMB },
      { measure: `Server peak RSS, ${scaleCount} uploads (MB)`, ferry: f0(results.memory.serverScalePeakRssMB), baseline: `sink ${f0(results.memory.sinkScalePeakRssMB)}`, ratio: results.memory.serverScalePeakRssMB / results.memory.sinkScalePeakRssMB },
      { measure: 'Chromium peak RSS, all processes (MB)', ferry: f0(results.memory.browserPeakRssMB), baseline: `XHR ${f0(results.memory.xhrBrowserPeakRssMB)}`, ratio: results.memory.browserRatioVsXhr },
      { measure: `Server, ${big_ / MiB} MiB by curl (MB/s)`, ferry: f0(results.server.ferryMBps), baseline: `sink ${f0(results.server.sinkMBps)}`, ratio: results.server.ratioVsSink },
      { measure: `Scale, ${scaleCount} × ${sizes.scaleEach / MiB} MiB (MB/s)`, ferry: f0(results.scale.ferryMBps), baseline: `sink ${f0(results.scale.sinkMBps)}`, ratio: results.scale.ratioVsSink, goal: '≥ 0.8 × sink', met: results.scale.ratioVsSink >= 0.8 },
      'skipped' in results.cluster
        ? { measure: `Cluster, ${scaleCount} × ${sizes.scaleEach / MiB} MiB via nginx (MB/s)`, ferry: 'skipped', baseline: results.cluster.skipped }
        : { measure: `Cluster, ${scaleCount} × ${sizes.scaleEach / MiB} MiB via nginx (MB/s)`, ferry: f0(results.cluster.clusterMBps), baseline: `one instance, filesystem ${f0(results.cluster.singleFsMBps)}`, ratio: results.cluster.ratioVsSingleFs },
      { measure: `Peer, ${big_ / MiB} MiB (MB/s)`, ferry: f0(results.peer.ferryMBps), baseline: `tus ${f0(results.peer.tusMBps)}`, ratio: results.peer.ratioVsTus, goal: '≥ 1.0 × tus', met: results.peer.ratioVsTus >= 1 },
      { measure: `Ferry's worker → @tus/server, loopback, ${big_ / MiB} MiB (MB/s)`, ferry: f0(results.workerToTus.loopback.ferryMBps), baseline: `tus-js-client ${f0(results.workerToTus.loopback.tusClientMBps)}`, ratio: results.workerToTus.loopback.ratioVsTusClient },
      { measure: `Ferry's worker → @tus/server at ${f0(results.workerToTus.link.linkMBps)} MB/s, ${sizes.linkIntegrity / MiB} MiB (MB/s)`, ferry: f0(results.workerToTus.link.ferryMBps), baseline: `tus-js-client ${f0(results.workerToTus.link.tusClientMBps)}`, ratio: results.workerToTus.link.ratioVsTusClient },
      { measure: `tus-js-client → Ferry, ${big_ / MiB} MiB (MB/s)`, ferry: f0(results.peer.tusClientToFerryMBps), baseline: `→ @tus/server ${f0(results.peer.tusMBps)}`, ratio: results.peer.tusClientToFerryVsTusServer, goal: '≥ 1.0', met: results.peer.tusClientToFerryVsTusServer >= 1 },
    ];
    const intact = [batch.intact, resume.intact, online.intact, progress.intact, linkIntegrity.intact, toTusLoopback.intact, toTusLink.intact, 'skipped' in phone || phone.intact, ...Object.values(links).map((link) => link.intact)].every(Boolean);
    printTable(rows, results.machine, intact);
    await mkdir(path.join(root, 'bench/results'), { recursive: true });
    await writeFile(path.join(root, 'bench/results/latest.svg'), chartSvg({
      links: Object.entries(results.links).map(([rate, link]) => ({ rate: Number(rate), ferry: link.ferryMBps, xhr: link.xhrMBps, tus: link.tusMBps })),
      cpu: results.cpu.byProcess,
      caption: `npm run bench${quick ? ' -- --quick' : ''}, ${results.machine.date.slice(0, 10)}: ${results.machine.cpus} × ${results.machine.cpu ?? 'CPU'}, headless Chromium; links are the fault proxy's shared token bucket.`,
    }));
    await writeFile(path.join(root, 'bench/results/latest.json'), `${JSON.stringify({ ...results, goals: rows.filter((row) => row.goal), faultUploadsIntact: intact }, null, 2)}\n`);
  } finally {
    hostMemory.restore();
    await rm(work, { recursive: true, force: true });
  }
}

/** The cluster row, or why it was skipped: its daemons are installed when missing on Debian as root. */
async function clusterRow(work: string, file: string, bytes: number, count: number, rounds: number): Promise<ClusterVersusSingle | { skipped: string }> {
  try {
    ensureClusterDaemons("The cluster row's daemons (Ceph, Redis and nginx)");
  } catch (error) {
    const skipped = (error as Error).message;
    log(`cluster row skipped. ${skipped}`);
    return { skipped };
  }
  return clusterVersusSingle(work, file, bytes, count, rounds);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
