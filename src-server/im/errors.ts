import { ImError, wireError, type WireError } from '../../src-shared/protocol';
import type { Logger } from '../logger';

/** Any failure of a request becomes wire data; unexpected ones are logged with their stack. */
export function toWireError(err: unknown, logger: Logger): WireError {
  if (err instanceof ImError) return err.toWire();
  logger.error({ err }, 'request failed');
  return wireError('INTERNAL', 'unexpected server error', 1000);
}
