// A TCP proxy between the browser and the server that injects real faults: it cuts
// every connection, throttles the upload direction, and counts the bytes sent up.
import net from 'node:net';

export class FaultProxy {
  private readonly server = net.createServer((client) => this.relay(client));
  private readonly sockets = new Set<net.Socket>();
  private targetPort: number;
  private bytesPerSecond: number | undefined;
  private nextFreeAt = 0;
  /** Bytes sent from the browser towards the server, headers included. */
  bytesUp = 0;
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

  /** Destroy every open connection at once, as a network switch would. No offline event reaches the page. */
  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => undefined);
    }
    upstream.on('data', (data) => client.write(data));
    client.on('data', (data) => {
      this.bytesUp += data.length;
      const delay = this.delayFor(data.length);
      if (delay === 0) {
        upstream.write(data);
        return;
      }
      client.pause();
      setTimeout(() => {
        if (!upstream.destroyed) upstream.write(data);
        client.resume();
      }, delay);
    });
  }

  /** Milliseconds to hold `bytes` so the shared budget is respected. */
  private delayFor(bytes: number): number {
    if (!this.bytesPerSecond) return 0;
    const now = Date.now();
    const start = Math.max(now, this.nextFreeAt);
    this.nextFreeAt = start + (bytes / this.bytesPerSecond) * 1000;
    return Math.max(0, this.nextFreeAt - now);
  }
}
