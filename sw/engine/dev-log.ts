// Development-only logging in the worker, as workbox's logger does: a worker you cannot see is a
// worker you cannot debug. Vite replaces import.meta.env, so a production build drops every call;
// under Node's test runner there is no import.meta.env, and nothing is logged either.
declare global {
  interface ImportMeta {
    readonly env?: { readonly DEV?: boolean };
  }
}

const DEV = import.meta.env?.DEV === true;

/** `console.debug` with the upload's id, in development builds only (`NODE_ENV=development npx vite build --mode development`). */
export function devLog(id: string, what: string, details?: Record<string, unknown>): void {
  if (DEV) console.debug(`[ferry] ${id}: ${what}`, details ?? '');
}
