import type { FastifyReply } from 'fastify';
import { errorReply, type ErrorCode, type WireError } from '../../src-shared/protocol';

/** The HTTP status each error code is answered with (docs/protocol.md §13). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_PACKET: 400,
  UNKNOWN_TYPE: 400,
  PAYLOAD_TOO_LARGE: 413,
  MESSAGE_TOO_LONG: 400,
  RATE_LIMITED: 429,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  BAD_CREDENTIALS: 401,
  ACCOUNT_DISABLED: 403,
  PROTOCOL_VERSION: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_ARGUMENT: 400,
  NOT_READY: 400,
  SERVER_DRAINING: 503,
  STORAGE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Whole-request failures: `{error}` on plain endpoints, a one-envelope array on /v1/rpc. */
export function sendError(res: FastifyReply, error: WireError, rpc: boolean): FastifyReply {
  if (error.retry_after_ms !== null) res.header('retry-after', String(Math.ceil(error.retry_after_ms / 1000)));
  return res.code(HTTP_STATUS[error.code]).send(rpc ? [errorReply(null, error)] : { error });
}
