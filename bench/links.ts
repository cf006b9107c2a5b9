// Where users live: the same file over a link of a given rate (the fault proxy's shared token
// bucket), three ways in the same run: Ferry's worker with digests on, one plain XHR POST to
// Ferry's server, and tus-js-client in a page to @tus/server. Seconds from pick to the last
// acknowledgement.
import path from 'node:path';
import { pickInOwnInput } from '../testkit/chromium.js';
import { FaultProxy } from '../testkit/fault-proxy.js';
import { forkFerry } from '../testkit/ferry.js';
import { forkTusServer } from '../testkit/tus.js';
import { AppSession, unwatched, type Watch } from './app-session.js';
import { timeTusPage } from './peer.js';
import { settleDisk } from './processes.js';

export interface LinkResults {
  ferrySeconds: number;
  xhrSeconds: number;
  tusSeconds: number;
  /** Ferry's upload is byte-exact on its server. */
  intact: boolean;
}

export async function measureLink(work: string, file: string, bytesPerSecond: number): Promise<LinkResults> {
  const tag = `${bytesPerSecond / 1e6}MBps`;
  // BENCH_LOGS=1: the server logs every request (its start, offset, bytes and time), as the cluster row does.
  const ferry = await forkFerry({ dataDir: path.join(work, `link-${tag}`), env: { LOG_LEVEL: process.env.BENCH_LOGS ? 'info' : 'warn' } });
  const ferryLink = await new FaultProxy(ferry.port).listen();
  const tus = await forkTusServer(path.join(work, `link-tus-${tag}`));
  const tusLink = await new FaultProxy(tus.port).listen();
  for (const link of [ferryLink, tusLink]) link.throttle(bytesPerSecond);
  try {
    const xhrSeconds = await timeXhr(ferryLink.url, file);
    const { seconds: ferrySeconds, intact } = await timeFerry(ferryLink.url, ferry.url, file);
    const tusSeconds = await timeTusPage(tusLink.url, file);
    return { ferrySeconds, xhrSeconds, tusSeconds, intact };
  } finally {
    await ferryLink.close();
    await tusLink.close();
    await ferry.close();
    await tus.stop();
  }
}

/** Ferry's app through the link: pick → the row done (`watch` around it); and whether the server's copy is exact. */
export async function timeFerry(appUrl: string, serverUrl: string, file: string, watch: Watch = unwatched): Promise<{ seconds: number; intact: boolean }> {
  const app = await AppSession.open(appUrl, serverUrl);
  try {
    await settleDisk();
    await watch.begin(app.page);
    const started = Date.now();
    await app.pick(file);
    const seconds = ((await app.waitForState(path.basename(file), 'done')) - started) / 1000;
    await watch.end(app.page);
    return { seconds, intact: await app.storedMatches(await app.idOf(path.basename(file)), file) };
  } finally {
    await app.close();
  }
}

/** One XHR POST of the whole file from Ferry's page, as the classic tutorial sends it: pick → 200. */
export async function timeXhr(appUrl: string, file: string, watch: Watch = unwatched): Promise<number> {
  const app = await AppSession.open(appUrl);
  try {
    await pickInOwnInput(app.page, 'baseline-input', file);
    await settleDisk();
    await watch.begin(app.page);
    const started = Date.now();
    await app.page.evaluate(() => new Promise<void>((resolve, reject) => {
      const picked = (document.querySelector('#baseline-input') as HTMLInputElement).files![0]!;
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/upload');
      xhr.setRequestHeader('X-File-Id', 'xhr-link-baseline');
      xhr.setRequestHeader('X-File-Size', String(picked.size));
      xhr.onload = () => (xhr.status === 200 ? resolve() : reject(new Error(`XHR ${xhr.status}`)));
      xhr.onerror = () => reject(new Error('XHR failed'));
      xhr.send(picked);
    }));
    const seconds = (Date.now() - started) / 1000;
    await watch.end(app.page);
    return seconds;
  } finally {
    await app.close();
  }
}
