// Recovery under real faults, through the TCP fault proxy the e2e tests use:
// connections cut mid-upload, the browser going offline and back, and a slow link
// on which the page's bar must keep up with the server.
import path from 'node:path';
import { FaultProxy } from '../testkit/fault-proxy.js';
import { AppSession, median, sleep } from './app-session.js';
import type { Served } from '../testkit/processes.js';

export interface Scenario {
  app: AppSession;
  proxy: FaultProxy;
  name: string;
  received: () => Promise<number>;
}

/** A fresh proxy and browser in front of `ferry`, with `file` picked and its id known. */
export async function pickThroughProxy(ferry: Served, file: string, bytesPerSecond?: number, beforePick?: (app: AppSession) => Promise<void>): Promise<Scenario> {
  const proxy = await new FaultProxy(ferry.port).listen();
  proxy.throttle(bytesPerSecond);
  const app = await AppSession.open(proxy.url, ferry.url);
  await beforePick?.(app);
  await app.pick(file);
  const name = path.basename(file);
  return { app, proxy, name, received: await app.receivedReader(await app.idOf(name)) };
}

export async function finish(scenario: Scenario, file: string): Promise<boolean> {
  scenario.proxy.throttle(undefined);
  await scenario.app.waitForState(scenario.name, 'done');
  const intact = await scenario.app.storedMatches(await scenario.app.idOf(scenario.name), file);
  await scenario.app.close();
  await scenario.proxy.close();
  return intact;
}

/** Poll `read` every `everyMs` until `done(value)`; returns the value. */
async function until(read: () => Promise<number>, done: (value: number) => boolean, everyMs = 10): Promise<number> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await sleep(everyMs);
  }
}

/** A value once it has not changed for `quietMs`. */
async function steady(read: () => Promise<number>, quietMs = 200): Promise<number> {
  let last = await read();
  for (;;) {
    await sleep(quietMs);
    const now = await read();
    if (now === last) return now;
    last = now;
  }
}

export interface ResumeResults {
  cuts: number;
  /** Bytes the browser sent towards the server (headers included) ÷ file size. Goal ≤ 1.05. */
  bytesRatio: number;
  recoverMs: number[];
  /** From the cut (the proxy accepts again at once) to the server's offset moving again. Goal < 1 s. */
  medianRecoverMs: number;
  intact: boolean;
}

/** Cut every connection `cuts` times, at offsets drawn at random, during one upload. */
export async function measureResume(ferry: Served, file: string, size: number, cuts = 5): Promise<ResumeResults> {
  const scenario = await pickThroughProxy(ferry, file);
  const thresholds = Array.from({ length: cuts }, () => Math.floor(size * (0.05 + Math.random() * 0.85))).sort((a, b) => a - b);
  const recoverMs: number[] = [];
  for (const threshold of thresholds) {
    await until(scenario.received, (held) => held >= threshold);
    scenario.proxy.cutAll();
    const cutAt = Date.now();
    // Bytes already inside the server's socket still land for a moment after the cut.
    const landed = await steady(scenario.received, 50);
    await until(scenario.received, (held) => held > landed || held >= size);
    recoverMs.push(Date.now() - cutAt);
  }
  const intact = await finish(scenario, file);
  return { cuts, bytesRatio: scenario.proxy.bytesUp / size, recoverMs, medianRecoverMs: median(recoverMs), intact };
}

export interface OnlineResults {
  /** Back online (setOffline(false)) → the server's offset moves. Goal < 500 ms. */
  latenciesMs: number[];
  medianMs: number;
  intact: boolean;
}

/**
 * Take the browser offline and back `times` times during an upload on a link throttled so
 * that the file needs about 16 s of transfer: each round is online for 1.5 s, so the upload
 * must still be running at the last one.
 */
export async function measureOnline(ferry: Served, file: string, size: number, times = 5): Promise<OnlineResults> {
  const scenario = await pickThroughProxy(ferry, file, size / 16);
  const { app } = scenario;
  const latenciesMs: number[] = [];
  await until(scenario.received, (held) => held > 2e6, 50);
  for (let round = 0; round < times; round++) {
    await app.context.setOffline(true);
    await app.waitForState(scenario.name, 'waiting-for-network', 30_000);
    await sleep(1000);
    const held = await steady(scenario.received);
    const backAt = Date.now();
    await app.context.setOffline(false);
    await until(scenario.received, (now) => now > held);
    latenciesMs.push(Date.now() - backAt);
    await sleep(1500);
  }
  const intact = await finish(scenario, file);
  return { latenciesMs, medianMs: median(latenciesMs), intact };
}

export interface ProgressResults {
  bytesPerSecond: number;
  messages: number;
  /** Largest time between two progress messages reaching the page. Goal < 1.5 s. */
  maxGapMs: number;
  /** Largest distance between the server's real offset and the page's bar, in seconds of transfer. Goal < 1 s. */
  maxBarLagSeconds: number;
  intact: boolean;
}

type Sample = [at: number, offset: number];

/** Upload through a link throttled to `bytesPerSecond`, recording every progress message the page gets and the server's offset. */
export async function measureProgress(ferry: Served, file: string, size: number, bytesPerSecond = 256 * 1024): Promise<ProgressResults> {
  const name = path.basename(file);
  const scenario = await pickThroughProxy(ferry, file, bytesPerSecond, (app) => app.page.evaluate((watched) => {
    const log: [number, number][] = [];
    (window as unknown as { benchProgress: typeof log }).benchProgress = log;
    navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
      const data = event.data as { type: string; upload?: { name: string; offset: number } };
      if (data.type === 'ferry:update' && data.upload?.name === watched) log.push([Date.now(), data.upload.offset]);
    });
  }, name));
  const server: Sample[] = [];
  for (let held = 0; held < size;) {
    held = await scenario.received();
    server.push([Date.now(), held]);
    await sleep(50);
  }
  const page = await scenario.app.page.evaluate(() => (window as unknown as { benchProgress: [number, number][] }).benchProgress);
  const intact = await finish(scenario, file);

  const moving = page.filter(([, offset]) => offset > 0 && offset < size);
  let maxGapMs = 0;
  for (let i = 1; i < moving.length; i++) maxGapMs = Math.max(maxGapMs, moving[i]![0] - moving[i - 1]![0]);
  let maxLagBytes = 0;
  for (const [at, held] of server) {
    if (held >= size) continue;
    const bar = page.filter(([seen]) => seen <= at).at(-1)?.[1] ?? 0;
    maxLagBytes = Math.max(maxLagBytes, held - bar);
  }
  return { bytesPerSecond, messages: page.length, maxGapMs, maxBarLagSeconds: maxLagBytes / bytesPerSecond, intact };
}
