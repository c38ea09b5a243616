import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

/** `false` silences the server (tests); otherwise pino options, JSON lines to stdout. */
export function createLogger(options: false | LoggerOptions | undefined): Logger {
  if (options === false) return pino({ level: 'silent' });
  return pino({ name: 'im-server', level: process.env.IM_LOG_LEVEL ?? 'info', ...options });
}
