// Test fixtures: a real Ferry server on an ephemeral port with a temp DATA_DIR,
// in-process or as a child process that can be killed, and a small HTTP client.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { distDir, forkFerry, type FerryProcess } from '../../testkit/ferry.js';
import { sha256 } from '../../testkit/server-view.js';
export { writeAll } from '../../testkit/sockets.js';
import { downloadPath, Header, type CompletedFile } from '../../common/protocol.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { startFerry, type FerryServer } from '../server.js';

export const MiB = 1024 * 1024;

export { distDir, sha256 };

/** RFC 9530 field value of the SHA-256 of `bytes` (Content-Digest, Repr-Digest, X-Checked-Digest). */
export const digestOf = (bytes: Uint8Array): string => `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
export const randomFile = (size: number): Buffer => randomBytes(size);
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function tempDir(prefix = 'ferry-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Where a shared suite sends its requests: one server, or several that share one store. */
export interface Target {
  urls: string[];
  close(): Promise<void>;
}

/** A fresh in-process server as a suite target; `env` overrides its configuration. */
export async function singleServer(env: Record<string, string> = {}): Promise<Target> {
  const server = await startServer(env);
  return { urls: [server.url], close: () => server.close() };
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  ferry: FerryServer;
  close(): Promise<void>;
}

/** A Ferry server in this process; `env` overrides the configuration. */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? (await tempDir());
  const config = loadConfig({ PORT: '0', STATIC_DIR: distDir, ...env, DATA_DIR: dataDir });
  const ferry = await startFerry(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
  return {
    url: `http://127.0.0.1:${ferry.port}`,
    port: ferry.port,
    dataDir,
    ferry,
    async close() {
      await ferry.shutdown();
      if (!env.DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Ferry server as its own process on `dataDir`, so a test can SIGKILL or SIGTERM it. */
export function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<FerryProcess> {
  return forkFerry({ dataDir, env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env } });
}

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
  offset: number | undefined;
}

/** One browser's worth of state: the owner cookie the server gave it. */
export class Client {
  cookie: string | undefined;
  private readonly urls: string[];
  private turn = 0;

  /** With several servers (a cluster's instances), requests take turns among them. */
  constructor(urls: string | readonly string[]) {
    this.urls = [urls].flat();
  }

  /** The same browser (same owner cookie) talking to other servers. */
  at(urls: string | readonly string[]): Client {
    const moved = new Client(urls);
    moved.cookie = this.cookie;
    return moved;
  }

  /** The server the next request goes to. */
  next(): string {
    return this.urls[this.turn++ % this.urls.length]!;
  }

  async request(method: string, route: string, headers: Record<string, string> = {}, body?: Uint8Array): Promise<Answer> {
    const response = await fetch(`${this.next()}${route}`, {
      method,
      headers: { ...headers, ...(this.cookie ? { cookie: this.cookie } : {}) },
      ...(body ? { body } : {}),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';', 1)[0];
    const text = await response.text();
    const offset = response.headers.get(Header.uploadOffset);
    return { status: response.status, text, headers: response.headers, offset: offset === null ? undefined : Number(offset) };
  }

  /** Make sure this client has an owner cookie before racing requests. */
  async ensureOwner(): Promise<void> {
    if (!this.cookie) await this.status('warm-up');
  }

  /** A plain status: stops a live append of the upload first, so the offset it answers is accepted next. */
  status(id: string): Promise<Answer> {
    return this.request('GET', '/status', { [Header.fileId]: id });
  }

  /** A progress poll: reads a live append's offsets without stopping it. */
  progress(id: string): Promise<Answer> {
    return this.request('GET', '/status', { [Header.fileId]: id, [Header.progressPoll]: '1' });
  }

  append(id: string, start: number, body: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request('POST', '/upload', { [Header.fileId]: id, [Header.startByte]: String(start), ...headers }, body);
  }

  cancel(id: string): Promise<Answer> {
    return this.request('DELETE', '/upload', { [Header.fileId]: id });
  }

  async list(): Promise<CompletedFile[]> {
    const answer = await this.request('GET', '/files');
    return JSON.parse(answer.text);
  }

  async download(id: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const response = await fetch(`${this.next()}${downloadPath(id)}`, { headers: { ...headers, ...(this.cookie ? { cookie: this.cookie } : {}) } });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  /** Send `file` from `from` on in appends of `chunk` bytes, declaring the size, and return the last answer. */
  async upload(id: string, file: Buffer, chunk: number, headers: Record<string, string> = {}, from = 0): Promise<Answer> {
    let answer: Answer | undefined;
    for (let start = from; start < file.length || start === 0; start += chunk) {
      answer = await this.append(id, start, file.subarray(start, start + chunk), { [Header.fileSize]: String(file.length), ...headers });
      if (answer.status !== 200) return answer;
      if (file.length === 0) break;
    }
    return answer!;
  }

  /** SHA-256 of what the server gives back for `id`. */
  async storedSha(id: string): Promise<string> {
    const { status, bytes } = await this.download(id);
    if (status !== 200) throw new Error(`download of ${id} answered ${status}`);
    return sha256(bytes);
  }
}

/**
 * A raw HTTP/1.1 append over a plain socket, so a test can stop mid-body, go
 * silent, or cut the connection: things fetch will not do on request.
 */
export async function openRawAppend(url: string, headers: Record<string, string>, method = 'POST', route = '/upload'): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const lines = Object.entries({ host: `${hostname}:${port}`, connection: 'close', ...headers }).map(([name, value]) => `${name}: ${value}`);
  socket.write(`${method} ${route} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  return socket;
}

/** A raw append of a whole `size`-byte file from `start`, declaring its size, as `client`'s owner. */
export function openRawUpload(client: Client, id: string, size: number, start = 0, headers: Record<string, string> = {}): Promise<net.Socket> {
  return openRawAppend(client.next(), {
    ...headers,
    cookie: client.cookie!,
    [Header.fileId]: id,
    [Header.startByte]: String(start),
    [Header.fileSize]: String(size),
    'content-length': String(size - start),
  });
}

/** Poll until `check` holds, or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Everything the server sends back on a raw socket, once it closes. */
export function collectReply(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (data) => (text += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    socket.on('end', () => resolve(text));
  });
}
