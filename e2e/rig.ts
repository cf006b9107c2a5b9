// What every end-to-end setup has whatever the browser: a server (or a cluster), the fault proxy in
// front of it, files to pick, and a view of what the server holds as the browser's owner.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { FaultProxy } from '../build/testkit/fault-proxy.js';
import type { FerryProcess } from '../build/testkit/ferry.js';
import { progressOf, sha256, storedSha, type Progress } from '../build/testkit/server-view.js';

export const MB = 1_000_000;

export interface SourceFile {
  name: string;
  path: string;
  sha256: string;
  size: number;
}

/** What the browser talks to: one Ferry process, or a whole cluster behind nginx. */
export type Backend = Pick<FerryProcess, 'url' | 'port' | 'close'> & { restart(): Promise<Backend>; reconfigure?(env: Record<string, string>): Promise<Backend> };

/**
 * A value once it has stopped changing for a second (bytes in kernel buffers still drain after an
 * abort). Read `received`, not the held offset: a chunk's bytes count only when its digest is checked.
 */
export async function settled(read: () => Promise<number>): Promise<number> {
  let last = -1;
  for (;;) {
    const now = await read();
    if (now === last) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Give each test of the file its own setup from `start`, closed after the test. */
export function freshForEachTest<T extends { close(): Promise<void> }>(start: () => Promise<T>): () => T {
  let app: T | undefined;
  test.beforeEach(async () => {
    app = await start();
  });
  test.afterEach(async () => {
    await app?.close();
  });
  return () => app!;
}

export abstract class Rig {
  protected constructor(
    public ferry: Backend,
    readonly proxy: FaultProxy,
    private readonly filesDir: string,
  ) {}

  /** A server behind a fresh fault proxy, and a directory for the files a test makes. */
  protected static async serve(backend: () => Promise<Backend>): Promise<{ ferry: Backend; proxy: FaultProxy; filesDir: string }> {
    const ferry = await backend();
    const proxy = await new FaultProxy(ferry.port).listen();
    return { ferry, proxy, filesDir: await mkdtemp(path.join(os.tmpdir(), 'ferry-files-')) };
  }

  /** The browser's owner cookie, as a Cookie header. */
  abstract cookie(): Promise<string>;
  /** Open the app in the first tab and wait until it has its worker and its snapshot. */
  abstract open(): Promise<unknown>;
  /** Pick `files` in the app's file input. */
  abstract pick(files: SourceFile[]): Promise<void>;
  /** The upload id of the row named `name`. */
  abstract idOf(name: string): Promise<string>;

  /**
   * Open the app, pick a new file of `size` bytes through a link throttled to `rate`,
   * and return once the server holds more than `above` bytes: a real "mid-upload".
   */
  async uploadMidway(name: string, size: number, above = MB, rate = 2 * MB): Promise<{ file: SourceFile; held: number }> {
    await this.open();
    this.proxy.throttle(rate);
    const file = await this.makeFile(name, size);
    await this.pick([file]);
    return { file, held: await this.waitForServerOffset(name, above) };
  }

  /** The bytes the server holds for the row's upload, asked as the browser's owner. */
  async serverOffset(name: string): Promise<number> {
    return this.serverOffsetOfId(await this.idOf(name));
  }

  /** Bytes that have reached the server, counted or not yet verified: what must stop moving when uploads stop. */
  async serverReceived(name: string): Promise<number> {
    return this.serverReceivedOfId(await this.idOf(name));
  }

  /** Wait until more than `above` bytes of the named upload have reached the server (verified or not yet). */
  async waitForServerOffset(name: string, above: number, timeout = 30_000): Promise<number> {
    let received = 0;
    await expect.poll(async () => (received = await this.serverReceived(name)), { timeout, intervals: [100] }).toBeGreaterThan(above);
    return received;
  }

  /** Where the browser opens the app: the proxy. */
  get url(): string {
    return this.proxy.url;
  }

  async makeFile(name: string, size: number): Promise<SourceFile> {
    return this.makeFileOf(name, randomBytes(size));
  }

  /** A file of exactly these bytes (a real picture, say). */
  async makeFileOf(name: string, bytes: Buffer): Promise<SourceFile> {
    const file = path.join(this.filesDir, name);
    await writeFile(file, bytes);
    return { name, path: file, sha256: sha256(bytes), size: bytes.length };
  }

  async serverOffsetOfId(id: string): Promise<number> {
    return (await this.serverStatus(id)).offset;
  }

  async serverReceivedOfId(id: string): Promise<number> {
    return (await this.serverStatus(id)).received;
  }

  /** SHA-256 of what the server stored for `id`. */
  async storedShaOf(id: string): Promise<string> {
    return storedSha(this.ferry.url, await this.cookie(), id);
  }

  private async serverStatus(id: string): Promise<Progress> {
    return progressOf(this.ferry.url, await this.cookie(), id);
  }

  /**
   * The same server restarted with another setting, on the same data directory. (A fresh directory
   * would also bring a fresh owner secret: the browser's cookie would be refused, and concurrent
   * requests of the page and the worker could each be given a new owner.)
   */
  async replaceServer(env: Record<string, string>): Promise<void> {
    if (!this.ferry.reconfigure) throw new Error('this backend cannot be restarted with another setting');
    this.ferry = await this.ferry.reconfigure(env);
    this.proxy.retarget(this.ferry.port);
  }

  /** SIGKILL the server and start it again on its data, behind the same proxy. */
  async restartServer(): Promise<void> {
    this.ferry = await this.ferry.restart();
    this.proxy.retarget(this.ferry.port);
  }

  /** After the browser has gone: the proxy, the server and the files. */
  protected async closeRig(): Promise<void> {
    await this.proxy.close();
    await this.ferry.close();
    await rm(this.filesDir, { recursive: true, force: true });
  }
}
