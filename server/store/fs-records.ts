// Small JSON records kept one file each under a directory of the data dir (tokens, push
// subscriptions): written atomically, and no record at all once there is nothing to keep.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, isMissing, writeFileAtomic } from './durable-fs.js';

export class JsonRecords {
  constructor(readonly root: string) {}

  async read<T>(name: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(name), 'utf8')) as T;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Replace record `name`; undefined removes it. */
  async write(name: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await rm(this.file(name), { force: true });
      await fsyncDir(this.root).catch(() => undefined);
      return;
    }
    await mkdir(this.root, { recursive: true });
    await writeFileAtomic(this.file(name), JSON.stringify(value));
  }

  private file(name: string): string {
    return path.join(this.root, `${name}.json`);
  }
}
