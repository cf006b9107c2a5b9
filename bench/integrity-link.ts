// The price of integrity digests where a link, not the CPU, sets the pace: the same
// file through the fault proxy throttled to a fast real-world uplink, digests on and off.
import type { AppSession } from './app-session.js';
import { finish, pickThroughProxy } from './faults.js';
import type { Served } from '../testkit/processes.js';

export interface LinkIntegrityResults {
  linkMBps: number;
  onSeconds: number;
  offSeconds: number;
  /** Off ÷ on time: 1.0 means the digests cost nothing at this link speed. */
  ratio: number;
  intact: boolean;
}

async function timedUpload(ferry: Served, file: string, bytesPerSecond: number, on: boolean): Promise<{ seconds: number; intact: boolean }> {
  let started = 0;
  const scenario = await pickThroughProxy(ferry, file, bytesPerSecond, async (app: AppSession) => {
    await app.setDigests(on);
    started = Date.now(); // from the pick: the browser's start is not the upload's
  });
  const seconds = ((await scenario.app.waitForState(scenario.name, 'done')) - started) / 1000;
  return { seconds, intact: await finish(scenario, file) };
}

/** `plainCopy` holds the same bytes as `file` under another name, so the second upload is a new one. */
export async function measureIntegrityAtLink(ferry: Served, file: string, plainCopy: string, bytesPerSecond: number): Promise<LinkIntegrityResults> {
  const on = await timedUpload(ferry, file, bytesPerSecond, true);
  const off = await timedUpload(ferry, plainCopy, bytesPerSecond, false);
  return { linkMBps: bytesPerSecond / 1e6, onSeconds: on.seconds, offSeconds: off.seconds, ratio: off.seconds / on.seconds, intact: on.intact && off.intact };
}
