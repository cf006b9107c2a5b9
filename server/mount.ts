// Where a request's handler is mounted in its host (Express's req.baseUrl, or createFerry's
// `basePath`): the URLs Ferry hands out (a tus or IETF upload's Location) carry it.
import type { IncomingMessage } from 'node:http';

const bases = new WeakMap<IncomingMessage, string>();

export function setMount(req: IncomingMessage, base: string): void {
  if (base) bases.set(req, base);
}

/** `path` (absolute within Ferry) as the client must ask for it. */
export function mounted(req: IncomingMessage, path: string): string {
  return `${bases.get(req) ?? ''}${path}`;
}
