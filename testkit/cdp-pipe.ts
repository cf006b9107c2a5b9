// Chromium driven over plain CDP on --remote-debugging-pipe, attached only to a
// page. Playwright attaches to service workers and keeps them alive (docs/design.md §3.11),
// which would hide a broken lease; this client never touches the worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class CdpBrowser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private readonly listeners = new Set<(method: string, params: unknown) => void>();

  private constructor(private readonly child: ChildProcess, private readonly profile: string) {
    const output = child.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (text: string) => {
      this.buffer += text;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const message = JSON.parse(this.buffer.slice(0, end)) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
        this.buffer = this.buffer.slice(end + 1);
        if (message.method) for (const listener of this.listeners) listener(message.method, message.params);
        const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
        if (!waiter) continue;
        this.pending.delete(message.id!);
        if (message.error) waiter.reject(new Error(message.error.message));
        else waiter.resolve(message.result);
      }
    });
  }

  static async launch(): Promise<CdpBrowser> {
    const profile = await mkdtemp(path.join(os.tmpdir(), 'ferry-cdp-'));
    const child = spawn(process.env.CHROMIUM_PATH ?? ensureChromium(), [
      '--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`, ...CHROMIUM_ARGS, 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    return new CdpBrowser(child, profile);
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    (this.child.stdio[3] as Writable).write(`${message}\0`);
    return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
  }

  /** Open `url` in a new tab and attach to that page only. Returns the session id. */
  async openPage(url: string): Promise<string> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    return sessionId;
  }

  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send<{ result: { value: T }; exceptionDetails?: { text: string } }>(
      'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
    if (exceptionDetails) throw new Error(`page threw: ${exceptionDetails.text}`);
    return result.value;
  }

  /** Put a file into an <input type=file> (in the document, or inside <ferry-uploads>), as a person picking it would. */
  async setInputFile(sessionId: string, selector: string, file: string): Promise<void> {
    const { result } = await this.send<{ result: { objectId: string } }>('Runtime.evaluate', { expression: `(document.querySelector("ferry-uploads")?.shadowRoot ?? document).querySelector(${JSON.stringify(selector)})` }, sessionId);
    await this.send('DOM.setFileInputFiles', { files: [file], objectId: result.objectId }, sessionId);
  }

  /** The first event `method` whose parameters pass `test`. */
  waitForEvent<T>(method: string, test: (params: T) => boolean): Promise<T> {
    return new Promise((resolve) => {
      const listener = (name: string, params: unknown) => {
        if (name !== method || !test(params as T)) return;
        this.listeners.delete(listener);
        resolve(params as T);
      };
      this.listeners.add(listener);
    });
  }

  /** Close the tab of page session `sessionId`. */
  async closePage(sessionId: string): Promise<void> {
    await this.send('Page.close', {}, sessionId);
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.send('Browser.close').catch(() => undefined);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    this.child.kill('SIGKILL');
    await rm(this.profile, { recursive: true, force: true });
  }
}
