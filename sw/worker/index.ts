// <pkg>/worker: Ferry's engine for any service worker (docs/embed.md).
export { installFerry, FerryOptionError, type FerryWorkerOptions } from './install.js';
