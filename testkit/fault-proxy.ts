// A TCP proxy between the browser and the server that injects real faults: it cuts
// every connection, throttles the upload direction, holds bytes like a middlebox,
// and counts the bytes sent up.
import net from 'node:net';

/**
 * A middlebox on the path: each connection goes up at its own pace while the proxy reads up to
 * `holdBytes` ahead of it, and what it holds still goes up after the client has gone.
 */
export interface Middlebox {
  bytesPerSecond: number;
  holdBytes: number;
}

const MIDDLEBOX_TICK_MS = 20;
/** Unused link time a throttled proxy keeps, at most (a burst of 0.5 MB at 10 MB/s). */
const LINK_BURST_MS = 50;

export class FaultProxy {
  private readonly server = net.createServer((client) => this.relay(client));
  private readonly sockets = new Set<net.Socket>();
  private targetPort: number;
  private bytesPerSecond: number | undefined;
  private nextFreeAt = 0;
  /** Bytes sent from the browser towards the server, headers included. */
  bytesUp = 0;
  private middlebox: Middlebox | undefined;
  private corruptArmed = false;
  private down = false;
  /** Reads held while the link is silent, sent on when it comes back. */
  private silenced: Array<() => void> | undefined;
  /** Request bodies in which a byte was flipped. */
  corrupted = 0;
  port = 0;

  constructor(targetPort: number) {
    this.targetPort = targetPort;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Send new connections to another server port (after a restart). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** Limit the browser→server direction, across all connections; undefined lifts it. */
  throttle(bytesPerSecond: number | undefined): void {
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Relay new connections as a middlebox does (see Middlebox); undefined goes back to a plain relay. */
  hold(middlebox: Middlebox | undefined): void {
    this.middlebox = middlebox;
  }

  /** Flip one byte in the middle of the next request body of at least 4 kB, as a broken middlebox would. */
  corruptNextBody(): void {
    this.corruptArmed = true;
  }

  /** Destroy every open connection at once, as a network switch would. No offline event reaches the page. */
  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * Take the link down (every connection cut, new ones reset at once) or bring it back: the
   * network gone for every process of the browser, where an emulated offline reaches only pages.
   */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.cutAll();
  }

  /**
   * Let the link go silent (bytes stop both ways and nothing is cut, as on a train in a tunnel), or
   * bring it back: what was held goes on where it stopped.
   */
  silence(silent: boolean): void {
    if (silent) {
      this.silenced ??= [];
      return;
    }
    const held = this.silenced ?? [];
    this.silenced = undefined;
    for (const send of held) send();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    if (this.down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const middlebox = this.middlebox;
    const held = middlebox ? new HeldBytes(client, upstream, middlebox) : undefined;
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        // A middlebox still delivers what it holds after the client has gone, then closes.
        if (socket === client && held?.deliverThenEnd()) return;
        upstream.destroy();
      });
      socket.on('error', () => undefined);
    }
    upstream.on('data', (data: Buffer) => {
      if (!this.silenced) return void client.write(data);
      upstream.pause();
      this.silenced.push(() => {
        client.write(data);
        upstream.resume();
      });
    });
    const bodies = new BodyTracker();
    client.on('data', (data: Buffer) => {
      this.bytesUp += data.length;
      if (this.corruptArmed && bodies.flipInBody(data, 4096)) {
        this.corruptArmed = false;
        this.corrupted += 1;
      } else {
        bodies.skip(data);
      }
      if (held) return held.take(data);
      // Respect back-pressure like a real link: bytes the server has not taken wait in the
      // browser's socket, not in an unbounded queue here (a cut would lose that queue).
      const forward = () => {
        if (upstream.destroyed) return;
        if (upstream.write(data)) client.resume();
        else upstream.once('drain', () => client.resume());
      };
      const send = () => {
        const delay = this.delayFor(data.length);
        if (delay === 0) forward();
        else setTimeout(forward, delay);
      };
      client.pause();
      if (this.silenced) this.silenced.push(send);
      else send();
    });
  }

  /**
   * Milliseconds to hold `bytes` so the shared budget is respected: a token bucket for all
   * connections together, as a real uplink is. It keeps up to LINK_BURST_MS of unused time, so the
   * pause between one read and the next does not cost a lone connection part of the link.
   */
  private delayFor(bytes: number): number {
    if (!this.bytesPerSecond) return 0;
    const now = Date.now();
    const start = Math.max(now - LINK_BURST_MS, this.nextFreeAt);
    this.nextFreeAt = start + (bytes / this.bytesPerSecond) * 1000;
    return Math.max(0, this.nextFreeAt - now);
  }
}

/** One connection's bytes inside a middlebox: read ahead of the link, sent up at its own pace. */
class HeldBytes {
  private readonly queue: Buffer[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private clientGone = false;

  constructor(
    private readonly client: net.Socket,
    private readonly upstream: net.Socket,
    private readonly middlebox: Middlebox,
  ) {}

  take(data: Buffer): void {
    this.queue.push(data);
    this.bytes += data.length;
    if (this.bytes >= this.middlebox.holdBytes) this.client.pause();
    this.timer ??= setInterval(() => this.tick(), MIDDLEBOX_TICK_MS);
  }

  /** The client closed: keep sending what is held, then end. False when nothing is held. */
  deliverThenEnd(): boolean {
    this.clientGone = true;
    if (this.bytes === 0 || this.upstream.destroyed) return false;
    return true;
  }

  private tick(): void {
    if (this.upstream.destroyed) return this.stop();
    if (this.upstream.writableNeedDrain) return;
    let budget = Math.ceil((this.middlebox.bytesPerSecond * MIDDLEBOX_TICK_MS) / 1000);
    while (budget > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      const piece = head.subarray(0, budget);
      if (piece.length === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(piece.length);
      this.bytes -= piece.length;
      budget -= piece.length;
      this.upstream.write(piece);
    }
    if (this.clientGone) {
      if (this.bytes === 0) {
        this.stop();
        this.upstream.end();
      }
    } else if (this.bytes < this.middlebox.holdBytes) {
      this.client.resume();
    }
  }

  private stop(): void {
    clearInterval(this.timer);
  }
}

/** Follows HTTP/1.1 request framing (Content-Length bodies) on one connection, to find body bytes. */
class BodyTracker {
  private head = '';
  private bodyLeft = 0;
  private bodySize = 0;

  skip(data: Buffer): void {
    this.walk(data, () => false);
  }

  /** Flip a byte of `data` that lies past the middle of a body of at least `minBody` bytes. True if it did. */
  flipInBody(data: Buffer, minBody: number): boolean {
    return this.walk(data, (at, bodyOffset) => {
      if (this.bodySize < minBody || bodyOffset < this.bodySize / 2) return false;
      data[at] = data[at]! ^ 0xff;
      return true;
    });
  }

  private walk(data: Buffer, visit: (at: number, bodyOffset: number) => boolean): boolean {
    let flipped = false;
    let at = 0;
    while (at < data.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, data.length - at);
        const bodyOffset = this.bodySize - this.bodyLeft;
        if (!flipped && bodyOffset + take > this.bodySize / 2) {
          const target = at + Math.max(0, Math.ceil(this.bodySize / 2) - bodyOffset);
          if (target < at + take) flipped = visit(target, bodyOffset + (target - at));
        }
        this.bodyLeft -= take;
        at += take;
        continue;
      }
      const end = data.indexOf('\r\n\r\n', at, 'latin1');
      const piece = data.toString('latin1', at, end < 0 ? data.length : end + 4);
      this.head += piece;
      at += piece.length;
      if (end < 0) break;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(this.head);
      this.bodySize = this.bodyLeft = length ? Number(length[1]) : 0;
      this.head = '';
    }
    return flipped;
  }
}
