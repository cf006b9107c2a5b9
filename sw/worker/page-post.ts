// Messages from the worker to every open page, in the order they were posted. Each message goes to
// the pages listed by a look started after it was posted, so a page open by then always gets it; the
// messages posted while one look is under way share the next. A batch of 300 photos finishing asked
// the browser for its pages 900 times, one look per message (docs/performance.md, batch).

/** A page, as `clients.matchAll` lists it. */
export interface MessagedPage<M> {
  postMessage(message: M): void;
}

/** Run when a message found no page open: an upload that ends says so itself (a notification). */
export type Unwatched = () => Promise<void>;

export class PagePost<M> {
  private waiting: Array<{ message: M; unwatched: Unwatched | undefined }> = [];
  private sending: Promise<void> | undefined;

  constructor(private readonly pages: () => Promise<ReadonlyArray<MessagedPage<M>>>) {}

  post(message: M, unwatched?: Unwatched): void {
    this.waiting.push({ message, unwatched });
    this.sending ??= this.send();
  }

  private async send(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        let pages: ReadonlyArray<MessagedPage<M>>;
        try {
          pages = await this.pages();
        } catch {
          continue; // no list of pages, no one to tell: as a failed matchAll always was
        }
        for (const { message } of batch) for (const page of pages) page.postMessage(message);
        if (pages.length === 0) for (const { unwatched } of batch) if (unwatched) void unwatched().catch(() => undefined);
      }
    } finally {
      this.sending = undefined;
    }
  }
}
