import { pino, type Logger } from 'pino';

/** One JSON line per event on stdout; LOG_LEVEL=silent keeps tests quiet. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
