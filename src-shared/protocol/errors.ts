/**
 * The one registry of error codes, shared by server and client and listed in docs/protocol.md
 * (a test keeps the two in step). `temporary` tells a client whether retrying the same request
 * later can succeed; `terminal` codes mean "stop reconnecting and tell the user".
 */
export const ERROR_CODES = {
  BAD_PACKET: {
    temporary: false,
    terminal: false,
    summary: 'The packet is not valid JSON or does not match its schema.',
  },
  UNKNOWN_TYPE: { temporary: false, terminal: false, summary: 'The packet type is not one this server knows.' },
  PAYLOAD_TOO_LARGE: { temporary: false, terminal: false, summary: 'The packet exceeds the size limit.' },
  MESSAGE_TOO_LONG: { temporary: false, terminal: false, summary: 'The message content exceeds the length limit.' },
  RATE_LIMITED: { temporary: true, terminal: false, summary: 'Too many packets; retry after retry_after_ms.' },
  UNAUTHENTICATED: { temporary: false, terminal: false, summary: 'No valid token; sign in again.' },
  TOKEN_EXPIRED: { temporary: false, terminal: false, summary: 'The token has expired; refresh it or sign in again.' },
  BAD_CREDENTIALS: { temporary: false, terminal: true, summary: 'Wrong account or password.' },
  ACCOUNT_DISABLED: { temporary: false, terminal: true, summary: 'The account is disabled.' },
  PROTOCOL_VERSION: {
    temporary: false,
    terminal: true,
    summary: 'The client speaks a protocol version the server does not support.',
  },
  FORBIDDEN: { temporary: false, terminal: false, summary: 'The caller may not read or change this resource.' },
  NOT_FOUND: {
    temporary: false,
    terminal: false,
    summary: 'The resource does not exist (or is not visible to the caller).',
  },
  INVALID_ARGUMENT: {
    temporary: false,
    terminal: false,
    summary: 'The request is well-formed but its arguments are not acceptable.',
  },
  NOT_READY: { temporary: false, terminal: false, summary: 'The connection has not completed hello yet.' },
  SERVER_DRAINING: {
    temporary: true,
    terminal: false,
    summary: 'The server is shutting down; reconnect after retry_after_ms.',
  },
  STORAGE_UNAVAILABLE: {
    temporary: true,
    terminal: false,
    summary: 'The server could not reach its database; retry later.',
  },
  INTERNAL: { temporary: true, terminal: false, summary: 'Unexpected server error; retry later.' },
} as const satisfies Record<string, { temporary: boolean; terminal: boolean; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/** An error as it crosses the wire or a process boundary: data, never an exception object. */
export interface WireError {
  code: ErrorCode;
  message: string;
  temporary: boolean;
  retry_after_ms: number | null;
}

export function wireError(code: ErrorCode, message: string, retryAfterMs: number | null = null): WireError {
  return { code, message, temporary: ERROR_CODES[code].temporary, retry_after_ms: retryAfterMs };
}

export function isTerminal(code: ErrorCode): boolean {
  return ERROR_CODES[code].terminal;
}

/** Throwable form for code paths that unwind; convert back with `.toWire()` at the edge. */
export class ImError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ImError';
  }
  toWire(): WireError {
    return wireError(this.code, this.message, this.retryAfterMs);
  }
}

/**
 * WebSocket close codes. 1000/1001 are standard; 4xxx are ours.
 * `reconnect: false` means the client must not reconnect without user action (or, for
 * TOKEN_EXPIRED, without first refreshing its token).
 */
export const CLOSE_CODES = {
  NORMAL: { code: 1000, reconnect: false, summary: 'Client-requested close.' },
  GOING_AWAY: {
    code: 1001,
    reconnect: true,
    summary: 'Server draining; a `drain` push with retry_after_ms precedes it.',
  },
  UNAUTHENTICATED: { code: 4001, reconnect: false, summary: 'hello carried no valid token; sign in again.' },
  TOKEN_EXPIRED: {
    code: 4002,
    reconnect: true,
    summary: 'Token expired; refresh (HTTP /v1/auth/refresh) then reconnect.',
  },
  ACCOUNT_DISABLED: { code: 4003, reconnect: false, summary: 'The account was disabled.' },
  HELLO_TIMEOUT: { code: 4004, reconnect: true, summary: 'No hello within the hello timeout.' },
  PROTOCOL_VERSION: { code: 4005, reconnect: false, summary: 'Unsupported protocol version.' },
  SLOW_CONSUMER: {
    code: 4008,
    reconnect: true,
    summary: 'The outbound queue overflowed; reconnect and resume from the cursor.',
  },
  HEARTBEAT_TIMEOUT: { code: 4009, reconnect: true, summary: 'No pong within the heartbeat deadline.' },
  RATE_LIMITED_HARD: { code: 4029, reconnect: true, summary: 'Sustained rate-limit abuse; reconnect after a backoff.' },
} as const;

export type CloseName = keyof typeof CLOSE_CODES;
