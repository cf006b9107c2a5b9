// Why an attempt failed. The loop turns each into its next state in one place (policy.ts, afterFailure).
import type { QuotaFacts } from '../../common/protocol.js';

/** The request did not get an HTTP answer: offline, cut, timed out or aborted. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** The server answered with a failure; `message` is its reason. */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** On a 413: the largest upload the server accepts. */
    readonly limit?: number,
    /** The RFC 9457 problem type, when the server named one. */
    readonly problem?: string,
    /** A quota-exceeded problem's facts, for a sentence in the reader's language. */
    readonly quota?: QuotaFacts,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/** The picked file changed or vanished on disk: never mix two versions. */
export class SourceChanged extends Error {
  static readonly sentence = 'The file changed on disk after it was picked, or can no longer be read. Pick it again to upload the current version.';

  constructor() {
    super(SourceChanged.sentence);
    this.name = 'SourceChanged';
  }
}

/** A tus or IETF server no longer knows the upload's URL (404 or 410: expired or removed): create it again. */
export class UploadGone extends Error {
  constructor(readonly status: number) {
    super(`the server no longer knows this upload (HTTP ${status})`);
    this.name = 'UploadGone';
  }
}
