/** A failure the client should see, with the status and a one-line reason. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Bytes held for the upload, when the failure leaves them known. */
    readonly offset?: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (reason: string) => new HttpError(400, reason);

/** Why the append pipeline refused an append, in no protocol's words: each route renders it in its own. */
export type RefusalKind = 'completed' | 'offset-mismatch' | 'superseded' | 'length-mismatch' | 'too-large';

/** An append refused by the pipeline's rules, answered as the Ferry protocol does unless a route renders `kind` otherwise. */
export class AppendRefused extends HttpError {
  constructor(
    readonly kind: RefusalKind,
    status: number,
    message: string,
    offset?: number,
    headers: Record<string, string> = {},
  ) {
    super(status, message, offset, headers);
    this.name = 'AppendRefused';
  }
}

/** A failure answered as RFC 9457 `application/problem+json`, with a type a client can act on. */
export class ProblemError extends HttpError {
  constructor(
    status: number,
    readonly type: string,
    readonly title: string,
    detail: string,
    offset?: number,
    /** More members of the problem object (RFC 9457 extensions). */
    readonly extensions: Record<string, string | number> = {},
  ) {
    super(status, detail, offset);
    this.name = 'ProblemError';
  }
}

/** True when this process or the system has no file descriptor left: load to shed, not a fault. */
export function isOutOfDescriptors(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/** True for the errors a full or read-only disk raises. */
export function isOutOfSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * True when the storage behind the server did not answer, or answered that it cannot serve now (an S3
 * endpoint restarting, a 5xx from it): the request may succeed when retried, so it is a 503, not a 500.
 */
export function isStoreUnreachable(error: unknown): boolean {
  const failure = error as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (failure?.code !== undefined && UNREACHABLE.has(failure.code)) return true;
  if (failure?.name === 'TimeoutError') return true;
  const status = failure?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}
