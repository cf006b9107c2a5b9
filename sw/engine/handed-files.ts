// Files handed over in this worker's life, read instead of IndexedDB's copy: an upload need not wait
// for a large one's copy, nor read a small one back. `stored` once IndexedDB's copy is committed.
export class HandedFiles {
  private readonly files = new Map<string, { file: Blob; stored: boolean }>();

  hand(id: string, file: Blob, stored: boolean): void {
    this.files.set(id, { file, stored });
  }

  get(id: string): Blob | undefined {
    return this.files.get(id)?.file;
  }

  /** IndexedDB's copy is committed: drop the File in hand unless a run still reads it. */
  stored(id: string, running: boolean): void {
    const handed = this.files.get(id);
    if (handed) handed.stored = true;
    if (!running) this.files.delete(id);
  }

  /** A run ended: a large File still being copied stays in hand until its copy is committed. */
  runEnded(id: string): void {
    if (this.files.get(id)?.stored) this.files.delete(id);
  }

  /** Read IndexedDB's copy from now on: true if it is committed (the File in hand is let go). */
  switchToStored(id: string): boolean {
    if (!this.files.get(id)?.stored) return false;
    this.files.delete(id);
    return true;
  }

  forget(id: string): void {
    this.files.delete(id);
  }
}
