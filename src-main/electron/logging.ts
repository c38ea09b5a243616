import { join } from 'node:path';
import log from 'electron-log/node';
import type { Logger } from '../ports/logger';
import { MAX_LOG_BYTES, rotateLogFile } from '../shell/log-rotation';
import { redactDiagnostics } from '../shell/redact';

/**
 * electron-log's Node flavour: `electron-log/main` would also register raw ipcMain handlers for
 * renderer logging, with no sender checks, which this app neither needs nor allows.
 *
 * Logs to `<userData>/logs/main.log`, rotated at 5 MB into main.1.log … main.5.log. Every entry
 * passes through the diagnostics redaction, so a log file handed to support holds no secrets.
 */
export function createFileLogger(userData: string): { logger: Logger; file: string } {
  const file = join(userData, 'logs', 'main.log');
  log.transports.file.resolvePathFn = () => file;
  log.transports.file.maxSize = MAX_LOG_BYTES;
  log.transports.file.archiveLogFn = (old) => {
    try {
      rotateLogFile(old.path);
    } catch {
      old.clear();
    }
  };
  log.transports.console.level = process.env.MERCHANT_IM_LOG_CONSOLE ? 'debug' : false;
  const entry =
    (level: 'info' | 'warn' | 'error') =>
    (obj: object, msg?: string): void => {
      log[level](msg ?? '', JSON.stringify(redactDiagnostics(obj)));
    };
  return { logger: { info: entry('info'), warn: entry('warn'), error: entry('error') }, file };
}
