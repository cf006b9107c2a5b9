// <pkg>/client: a page's client of the Ferry engine in its service worker (docs/embed.md).
export { connectFerry, type ConnectOptions } from './connect.js';
export type * from './types.js';
