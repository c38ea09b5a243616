import { pino } from 'pino';

/** Structured logging port; pino and electron-log both fit it. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** JSON lines on stderr, for the browser-mode host and CI logs. */
export function stderrLogger(level = 'info'): Logger {
  return pino({ name: 'client-core', level }, pino.destination(2));
}
