// The fault proxy's throttle is a link: one budget shared by every connection, as a real uplink
// is. The bench's link rows rest on it, so it is checked here for one connection and for several.
// (The proxy is test kit, not Ferry: this is the one timed assertion, with wide margins, and only
// "never faster than the link" is strict.)
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FaultProxy } from '../../testkit/fault-proxy.js';

const RATE = 10e6;
const MB = 1e6;

describe('the fault proxy as a link', () => {
  let sink: net.Server;
  let proxy: FaultProxy;
  /** Bytes that have come out of the link, and who waits for a total. */
  let arrived = 0;
  let waiter: { total: number; resolve: () => void } | undefined;
  before(async () => {
    sink = net.createServer((socket) => socket.on('data', (data: Buffer) => {
      arrived += data.length;
      if (waiter && arrived >= waiter.total) waiter.resolve();
    }));
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    proxy = await new FaultProxy((sink.address() as net.AddressInfo).port).listen();
    proxy.throttle(RATE);
  });
  after(async () => {
    await proxy.close();
    await new Promise((resolve) => sink.close(resolve));
  });

  /** Seconds for `connections` sockets to push `each` bytes through the proxy, all at once. */
  async function push(connections: number, each: number): Promise<number> {
    arrived = 0;
    const out = new Promise<void>((resolve) => (waiter = { total: connections * each, resolve }));
    const started = performance.now();
    const sockets: net.Socket[] = [];
    await Promise.all(Array.from({ length: connections }, () => new Promise<void>((resolve, reject) => {
      const socket = net.connect(proxy.port, '127.0.0.1');
      sockets.push(socket);
      const block = Buffer.alloc(64 * 1024);
      let left = each;
      const write = () => {
        while (left > 0) {
          const size = Math.min(block.length, left);
          left -= size;
          if (!socket.write(size === block.length ? block : block.subarray(0, size))) return void socket.once('drain', write);
        }
        // Stay open: a client that closes makes the proxy drop what it still holds, as a cut does.
        resolve();
      };
      socket.on('error', reject);
      socket.on('connect', write);
    })));
    // Timed to the last byte out of the link, not to the client's last write.
    await out;
    const seconds = (performance.now() - started) / 1000;
    for (const socket of sockets) socket.destroy();
    return seconds;
  }

  for (const connections of [1, 4]) {
    it(`holds ${RATE / MB} MB/s in all for ${connections} connection${connections === 1 ? '' : 's'}`, async (t) => {
      const total = 20 * MB;
      const seconds = await push(connections, total / connections);
      const rate = total / seconds;
      t.diagnostic(`${(rate / MB).toFixed(2)} MB/s through ${connections} connection(s)`);
      assert.ok(rate <= RATE * 1.08, `never faster than the link: ${(rate / MB).toFixed(1)} MB/s`);
      assert.ok(rate >= RATE * 0.7, `not far slower either: ${(rate / MB).toFixed(1)} MB/s`);
    });
  }
});
