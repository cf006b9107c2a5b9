// A real tus server for tests and the bench (@tus/server with its file store, in its own
// process), and a look at what its store holds: each upload is a file named by its id.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { forkServer, type Served } from './processes.js';

export interface TusProcess extends Served {
  dir: string;
  /** SIGKILL it and start a new one on the same store (on a new port). */
  restart(): Promise<TusProcess>;
}

export async function forkTusServer(dir: string): Promise<TusProcess> {
  const served = await forkServer(path.join(import.meta.dirname, 'tus-server.js'), { env: { TUS_DIR: dir } });
  return {
    ...served,
    dir,
    async restart() {
      await served.stop('SIGKILL');
      return forkTusServer(dir);
    },
  };
}

export interface TusStored {
  id: string;
  /** Bytes on disk: the upload's offset. */
  bytes: number;
}

/** The uploads in a @tus/file-store directory (`<id>` beside its `<id>.json`), largest first. */
export async function tusUploads(dir: string): Promise<TusStored[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const ids = names.filter((name) => names.includes(`${name}.json`));
  const uploads = await Promise.all(ids.map(async (id) => ({ id, bytes: (await stat(path.join(dir, id))).size })));
  return uploads.sort((a, b) => b.bytes - a.bytes);
}

export async function tusSha256(dir: string, id: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path.join(dir, id)), hash);
  return hash.digest('hex');
}
