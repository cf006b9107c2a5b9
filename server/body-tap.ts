// Takes a request body from its first byte, while the append still awaits its lock and its
// upload. Node destroys a request whose client went away, with the bytes it buffered and the
// 'close' it emitted: an append that only started reading afterwards waited forever, holding
// its file and its lock, and lost those bytes. The tap keeps both.
import type { IncomingMessage } from 'node:http';

/** Bytes held here before the tap pauses the request (the rest waits in the socket). */
const HOLD_BYTES = 1 << 20;

export interface Tapped {
  /** What arrived before the body was taken, in order. */
  chunks: Buffer[];
  /** The body ended: every byte is in `chunks`. */
  ended: boolean;
  /** The client went away before the body ended. */
  gone: boolean;
}

export class BodyTap {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private ended = false;
  private gone = false;
  private attached = true;

  constructor(private readonly req: IncomingMessage) {
    req.on('data', this.onData).on('end', this.onEnd).on('close', this.onClose).on('error', ignore);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= HOLD_BYTES) this.req.pause();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
  };

  private readonly onClose = (): void => {
    if (!this.req.complete) this.gone = true;
  };

  /** Hand over what arrived; from now on the caller reads the request itself. */
  take(): Tapped {
    const tapped = { chunks: this.chunks, ended: this.ended, gone: this.gone };
    this.release();
    return tapped;
  }

  /** Stop tapping and forget the bytes (the request is refused before they are stored). */
  release(): void {
    if (!this.attached) return;
    this.attached = false;
    this.req.off('data', this.onData).off('end', this.onEnd).off('close', this.onClose);
    this.chunks = [];
  }
}

function ignore(): void {}
