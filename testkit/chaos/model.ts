// What the server promises about one upload, written as a model the schedule checks after every
// step (issue 32): no acknowledged byte is lost, an offset a status reported is accepted by the
// next append at it, offsets never pass the size, and a completed file is exact.
import type { Where } from './dialects.js';

export class UploadModel {
  /** The highest offset any answer acknowledged: a successful append, a status, a HEAD. */
  acked = 0;
  /** The offset the last status said, while nothing but our next append at it has happened since. */
  private promise: number | undefined;
  complete = false;
  readonly violations: string[] = [];
  /** What happened to this upload, a line a step, for a violation's report. */
  readonly history: string[] = [];

  note(line: string): void {
    this.history.push(line);
  }

  constructor(
    readonly label: string,
    readonly bytes: Buffer,
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  /** A status or HEAD answered. It acknowledges its offset, and promises that offset to the next append. */
  statusSaid(where: Where): void {
    this.note(`status: ${where.offset}${where.complete ? ' complete' : ''}`);
    if (where.offset < this.acked) this.violate(`status said ${where.offset} after ${this.acked} bytes were acknowledged`);
    if (where.offset > this.size) this.violate(`status said ${where.offset}, past the size ${this.size}`);
    if (this.complete && !where.complete) this.violate(`status says incomplete at ${where.offset} after completion`);
    this.acked = Math.max(this.acked, where.offset);
    this.complete ||= where.complete;
    this.promise = where.complete ? undefined : where.offset;
  }

  /**
   * Something the promise does not cover happened (a racing request of ours, a server restart):
   * the next append at the promised offset may rightly be refused.
   */
  forgetPromise(): void {
    this.promise = undefined;
  }

  /** The promise the next append is held to, taken once (an append uses it up). */
  takePromise(): number | undefined {
    const promise = this.promise;
    this.promise = undefined;
    return promise;
  }

  /** An append from `start` of `length` bytes succeeded, acknowledging `offset`. */
  appended(start: number, length: number, offset: number): void {
    if (offset !== start + length) this.violate(`an append of ${length} bytes at ${start} acknowledged ${offset}`);
    if (offset > this.size) this.violate(`an append acknowledged ${offset}, past the size ${this.size}`);
    this.acked = Math.max(this.acked, offset);
    // A success reports bytes past a promise made before it: that promise no longer binds.
    if (this.promise !== undefined && offset > this.promise) this.promise = undefined;
    if (offset === this.size) this.complete = true;
  }

  /** An append at `start` was refused for its offset; `promised` is what a status had said, if it stands. */
  offsetRefused(start: number, held: number | undefined, promised: number | undefined): void {
    if (promised !== undefined && promised === start) {
      this.violate(`status said ${promised}, append there got 409 (server holds ${held ?? 'unknown'})`);
    }
    if (held !== undefined && held > this.size) this.violate(`a refusal says the server holds ${held}, past the size ${this.size}`);
  }

  /** The stored file's SHA-256 (and the listing's) at the end. */
  finished(storedSha: string, listedSha: string | undefined, expectedSha: string): void {
    if (storedSha !== expectedSha) this.violate(`the stored file's SHA-256 is ${storedSha}, not ${expectedSha}`);
    if (listedSha !== expectedSha) this.violate(`the listing's SHA-256 is ${listedSha ?? 'missing'}, not ${expectedSha}`);
  }

  private violate(what: string): void {
    this.note(`VIOLATION ${what}`);
    this.violations.push(`${this.label}: ${what}`);
  }
}
