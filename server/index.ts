// <pkg>/server: Ferry's upload server as a handler inside any Node.js app (docs/server.md).
export * from './create-ferry.js';
