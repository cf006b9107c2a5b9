// Faults only a cluster has (issue 6): an instance killed mid-append, and Redis, which
// holds the writer locks, restarted mid-upload. Real processes, real signals.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import type { Cluster } from '../../testkit/cluster/cluster.js';
import { testCluster } from './cluster-helpers.js';
import { Client, MiB, collectReply, eventually, openRawUpload, randomFile, sha256, sleep, writeAll } from './helpers.js';

describe('cluster faults', () => {
  let cluster: Cluster & { close(): Promise<void> };
  before(async () => (cluster = await testCluster()));
  after(() => cluster.close());

  it('resumes through the other instance, byte-exact, after one is killed with kill -9 mid-append', async () => {
    const [doomed, survivor] = cluster.instances as [Cluster['instances'][0], Cluster['instances'][0]];
    const client = new Client(doomed.url);
    await client.ensureOwner();
    const file = randomFile(24 * MiB);
    const socket = await openRawUpload(client, 'killed', file.length);
    socket.on('error', () => undefined);
    let sent = 0;
    let acknowledged = 0;
    // Status through the survivor asks the doomed instance to make its bytes durable.
    const watcher = client.at(survivor.url);
    while (sent < 14 * MiB) {
      await writeAll(socket, file.subarray(sent, sent + MiB));
      sent += MiB;
      await sleep(20);
      acknowledged = (await watcher.progress('killed')).offset!;
    }
    assert.ok(acknowledged > 0, 'the cluster reported durable progress before the kill');
    await doomed.kill('SIGKILL');
    socket.destroy();

    // Through nginx now: the dead instance is skipped; the lock it held expires.
    const balanced = client.at(cluster.url);
    const held = (await balanced.status('killed')).offset!;
    assert.ok(held >= acknowledged, `held ${held} includes every acknowledged byte (${acknowledged})`);
    assert.ok(held <= sent, `held ${held} is no more than was sent (${sent})`);
    const resumed = await eventually(async () => {
      const answer = await balanced.upload('killed', file, 4 * MiB, {}, (await balanced.status('killed')).offset!);
      return answer.status === 200 ? answer : undefined;
    }, 20_000, 'the upload to resume once the dead instance\'s lock expired');
    assert.equal(resumed.headers.get(Header.uploadComplete), '1');
    assert.equal(await balanced.storedSha('killed'), sha256(file));
    await doomed.restart();
  });

  it('never interleaves two writers when Redis restarts mid-upload, and the upload completes', async () => {
    const [first, second] = cluster.instances as [Cluster['instances'][0], Cluster['instances'][0]];
    const client = new Client(first.url);
    const prefix = randomFile(MiB);
    const size = prefix.length + 12 * MiB;
    assert.equal((await client.append('redis', 0, prefix, { [Header.fileSize]: String(size) })).status, 200);

    // Writer one, on the first instance, streams 0x01 bytes and keeps going slowly.
    const one = await openRawUpload(client, 'redis', size, prefix.length);
    const oneAnswer = collectReply(one);
    await writeAll(one, Buffer.alloc(2 * MiB, 1));
    let streaming = true;
    const trickle = (async () => {
      while (streaming && !one.destroyed) {
        await writeAll(one, Buffer.alloc(64 * 1024, 1)).catch(() => undefined);
        await sleep(25);
      }
    })();
    await sleep(200);
    await cluster.redis.restart(); // every lock is gone

    // Writer two, on the other instance, resumes like a client would, with 0x02 bytes.
    const two = client.at(second.url);
    const finished = await eventually(async () => {
      const from = (await two.status('redis')).offset!;
      const answer = await two.append('redis', from, Buffer.alloc(size - from, 2), { [Header.fileSize]: String(size) });
      return answer.status === 200 ? from : undefined;
    }, 20_000, 'the second writer to finish the upload');
    streaming = false;
    await trickle;
    // Writer one learns at its next renewal or store change that its lock is gone, and answers.
    const answer = await Promise.race([oneAnswer, sleep(10_000).then(() => 'no answer')]);
    assert.match(answer, /^HTTP\/1\.1 (503|409)/, 'the first writer, which lost its lock, stopped and did not complete');
    one.destroy();

    const stored = (await client.download('redis')).bytes;
    assert.equal(stored.length, size);
    assert.deepEqual(stored.subarray(0, prefix.length), prefix, 'the prefix is untouched');
    const rest = stored.subarray(prefix.length);
    const firstTwo = rest.indexOf(2);
    assert.equal(firstTwo, finished - prefix.length, 'writer two wrote from where it resumed');
    assert.ok(rest.subarray(0, firstTwo).every((byte) => byte === 1), 'before that, only writer one');
    assert.ok(rest.subarray(firstTwo).every((byte) => byte === 2), 'after that, only writer two: nothing interleaved');
    const [listed] = (await client.list()).filter((file) => file.id === 'redis');
    assert.equal(listed?.sha256, sha256(stored), 'the digest carried across instances and parts is the digest of the bytes');
  });

  it('downloads, through nginx, files whose ids climb like paths, as the app links them', async () => {
    const client = new Client(cluster.url);
    for (const id of ['../../etc/passwd', '..', 'a/../b', '%2e%2e%2f']) {
      const file = randomFile(1000 + id.length);
      assert.equal((await client.upload(id, file, 1000)).status, 200, id);
      const download = await client.download(id);
      assert.equal(download.status, 200, id);
      assert.equal(sha256(download.bytes), sha256(file), id);
    }
  });

  it('nginx sends only to ready instances: one killed is out before a request reaches it, and back once its /readyz answers', async () => {
    const [first, second] = cluster.instances as [Cluster['instances'][0], Cluster['instances'][0]];
    const served = async () => {
      const from = (await readFile(cluster.nginx.accessLog, 'utf8')).length;
      for (let n = 0; n < 20; n++) assert.equal((await fetch(`${cluster.url}/healthz`)).status, 200);
      // `$upstream_addr` lists every instance nginx tried: "a, b" when a refused the connection first.
      return (await readFile(cluster.nginx.accessLog, 'utf8')).slice(from).split('\n').filter((line) => line.endsWith('/healthz')).map((line) => line.split(' ')[0]!.replace(/,$/, ''));
    };
    const address = (url: string) => new URL(url).host;
    await first.kill('SIGKILL');
    await cluster.readiness.until([false, true]);
    const whileDown = await served();
    assert.deepEqual(new Set(whileDown), new Set([address(second.url)]), 'every request went straight to the ready instance, none tried the dead one first');
    assert.equal(whileDown.length, 20);
    await first.restart();
    await cluster.readiness.until([true, true]);
    const back = await served();
    assert.deepEqual(new Set(back), new Set([address(first.url), address(second.url)]), 'the instance is back in the rotation');
  });
});
