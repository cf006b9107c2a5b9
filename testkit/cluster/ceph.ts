// A throw-away single-node Ceph cluster (one monitor, one bluestore OSD on a sparse
// file, the RADOS Gateway) with an S3 user, everything under one directory.
// Recipe and pitfalls: docs/cluster.md (cold start about 5 s on this machine).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, run, startDaemon, waitUntil, type Daemon } from './daemons.js';
import { startGateway } from './gateway.js';

export interface S3Endpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CephCluster extends S3Endpoint {
  dir: string;
  /** Stop the RADOS Gateway (SIGKILL) and start it again on its port, once `whileDown` (if given) resolves: S3 is gone meanwhile. */
  restartGateway(whileDown?: () => Promise<unknown>): Promise<void>;
  stop(): Promise<void>;
}

const READY_MS = 60_000;

function cephConf(dir: string, fsid: string, monPort: number): string {
  const at = (name: string) => path.join(dir, name);
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
ms cluster mode = crc
ms service mode = crc
ms client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms mon client mode = crc
run dir = ${at('run')}
admin socket = ${at('run')}/$name.asok
log file = ${at('log')}/$name.log
crash dir = ${at('crash')}
keyring = ${at('keyring')}
mon data = ${at('mon')}/$name
osd data = ${at('osd')}/$name
rgw data = ${at('rgw')}/$name
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon warn on pool no redundancy = false
paxos propose interval = 0.05
mon mgr mkfs grace = 31536000
osd objectstore = bluestore
bluestore block path = ${at('osd')}/block
bluestore block size = ${8 * 1024 ** 3}
bluestore block create = true
bluestore fsck on mkfs = false
osd memory target = 1073741824

[client.rgw.a]
rgw gc obj min wait = 60
rgw gc processor period = 60
`;
}

/** Start a cluster in `dir` (which must be empty or missing) and answer once S3 works. */
export async function startCeph(dir: string): Promise<CephCluster> {
  for (const sub of ['run', 'log', 'crash', 'mon', 'osd/osd.0', 'rgw']) await mkdir(path.join(dir, sub), { recursive: true });
  const monPort = await freePort();
  let rgwPort = await freePort();
  const conf = path.join(dir, 'ceph.conf');
  const fsid = randomUUID();
  await writeFile(conf, cephConf(dir, fsid, monPort));
  const log = (name: string) => path.join(dir, 'log', `${name}.log`);
  const ceph = (...args: string[]) => run('ceph', ['-c', conf, '--connect-timeout', '10', ...args]);
  const daemons: Daemon[] = [];
  const stop = async () => {
    // The gateway first, the monitor last: each still has someone to say goodbye to.
    for (const daemon of [...daemons].reverse()) await daemon.stop();
  };

  try {
    const monmap = path.join(dir, 'monmap');
    await run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, monmap]);
    await run('ceph-mon', ['-c', conf, '-i', 'a', '--mkfs', '--monmap', monmap]);
    daemons.push(startDaemon('ceph-mon', 'ceph-mon', ['-c', conf, '-i', 'a', '-f']));
    await waitUntil('the Ceph monitor', async () => (await ceph('mon', 'stat')).stdout.length > 0, READY_MS, log('mon.a'));

    const osdUuid = randomUUID();
    const { stdout: osdId } = await ceph('osd', 'new', osdUuid);
    if (osdId.trim() !== '0') throw new Error(`expected OSD 0, the monitor made ${osdId.trim()}`);
    await run('ceph-osd', ['-c', conf, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    daemons.push(startDaemon('ceph-osd', 'ceph-osd', ['-c', conf, '-i', '0', '-f']));
    await waitUntil('the Ceph OSD', async () => JSON.parse((await ceph('osd', 'stat', '-f', 'json')).stdout).num_up_osds === 1, READY_MS, log('osd.0'));

    // Clients know the gateway by its port: the first start may move to another, a restart may not.
    const startRgw = async (movable: boolean) => {
      const started = await startGateway(conf, rgwPort, log('client.rgw.a'), READY_MS, movable);
      daemons.push(started.daemon);
      rgwPort = started.port;
    };
    const restartGateway = async (whileDown?: () => Promise<unknown>) => {
      const gateway = daemons.pop()!;
      gateway.child.kill('SIGKILL');
      await gateway.exited;
      await whileDown?.();
      await startRgw(false);
    };
    await startRgw(true);
    const accessKeyId = randomBytes(10).toString('hex').toUpperCase();
    const secretAccessKey = randomBytes(20).toString('base64url');
    await run('radosgw-admin', ['-c', conf, '-n', 'client.rgw.a', 'user', 'create', '--uid=ferry', '--display-name=Ferry',
      `--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`]);
    return { dir, endpoint: `http://127.0.0.1:${rgwPort}`, region: 'us-east-1', accessKeyId, secretAccessKey, restartGateway, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

