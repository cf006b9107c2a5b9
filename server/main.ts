// Entry point: `node build/server/main.js`. Configuration comes from the environment (README).
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { startFerry } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`ferry: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const ferry = await startFerry(config, log);
  log.info({ url: `http://${config.host}:${ferry.port}`, dataDir: config.dataDir }, 'Ferry is listening');
  // A parent that forked us (the tests) learns the port without parsing logs.
  process.send?.({ port: ferry.port });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'shutting down: appends flush what they received');
      ferry.shutdown().then(() => process.exit(0), (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

main().catch((error: unknown) => {
  console.error('ferry: failed to start:', error);
  process.exit(1);
});
