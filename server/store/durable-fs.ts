// Small filesystem helpers whose only job is to make a write survive a crash.
import { open, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** fsync a directory, so that the entries created or renamed in it survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replace `file` with `content` so that a reader sees either the old or the new text, never half.
 * The directory is opened before the rename and synced through that handle: a reader may move the
 * directory the moment the new text is visible (a completed upload's meta.json), and a handle
 * follows the directory where a path would find nothing.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = `${file}.tmp`;
  const dir = await open(path.dirname(file), 'r');
  try {
    await writeFile(temp, content, { flush: true });
    await rename(temp, file);
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
