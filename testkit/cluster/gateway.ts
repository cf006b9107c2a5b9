// The RADOS Gateway on a port of its own. A free port is only free when it was asked: the tests run
// two files at once, and another file's server may listen on it before the gateway binds it. Then
// S3 requests reached that server, and every S3 test of a run failed at once with "@aws-sdk XML parse
// error: unexpected content" (a fresh-clone CI run, 2026-12-06). So the gateway counts as up only when
// the port answers as S3 does, and a port that answers otherwise is given up for another.
import { freePort, logTail, pollFor, startDaemon, type Daemon } from './daemons.js';

const ATTEMPTS = 3;

/** What the port at `port` is: the gateway (an S3 bucket listing), someone else, or nobody yet. */
async function whoAnswers(port: number): Promise<'gateway' | 'other' | 'nobody'> {
  try {
    const reply = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    const text = await reply.text();
    if (text.includes('ListAllMyBucketsResult')) return 'gateway';
    // The gateway's own refusals while it starts are S3 errors, in XML.
    return text.includes('<Error>') ? 'nobody' : 'other';
  } catch {
    return 'nobody';
  }
}

/**
 * Start radosgw with `conf` on `port` (or, if `movable` and another process holds it, on a new free
 * port) and resolve with the daemon and the port it answers on, once it answers S3 requests.
 */
export async function startGateway(conf: string, port: number, logFile: string, timeoutMs: number, movable: boolean): Promise<{ daemon: Daemon; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const daemon = startDaemon('radosgw', 'radosgw', ['-c', conf, '-n', 'client.rgw.a', '-f', '--rgw_frontends', `beast endpoint=127.0.0.1:${port} tcp_nodelay=1`]);
    let exited = false;
    void daemon.exited.then(() => (exited = true));
    const seen = (await pollFor(async () => {
      const who = await whoAnswers(port);
      return who === 'nobody' ? undefined : who;
    }, timeoutMs, () => exited)) ?? 'nobody';
    if (seen === 'gateway') return { daemon, port };
    await daemon.stop();
    const why = seen === 'other' ? `another process answers on port ${port}` : exited ? 'radosgw exited' : `no answer within ${timeoutMs} ms`;
    if (!movable || attempt === ATTEMPTS || (seen === 'nobody' && !exited)) {
      throw new Error(`the RADOS Gateway did not start (${why}); last lines of ${logFile}:\n${await logTail(logFile)}`);
    }
    port = await freePort();
  }
}
