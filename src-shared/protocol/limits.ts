/** Defaults of every protocol limit and timeout; the server may announce other values in `welcome`. */
export const PROTOCOL_VERSION = 1;

export const LIMITS = {
  /** Largest accepted frame (one envelope or a batch), in bytes of UTF-8 JSON. */
  maxPacketBytes: 64 * 1024,
  /** Largest number of envelopes in one batch frame. */
  maxBatch: 50,
  /** Longest text message, in UTF-16 code units. */
  maxTextLength: 4000,
  /** Most inbox events returned by one `sync` page. */
  maxSyncPage: 500,
  /** Long-poll is held at most this long, so proxies with 60 s idle timeouts never cut it. */
  maxPollWaitMs: 25_000,
  /** Server sends a WebSocket ping this often... */
  heartbeatIntervalMs: 25_000,
  /** ...and closes the socket if no pong arrives within this. */
  heartbeatTimeoutMs: 10_000,
  /** A WebSocket must send hello within this. */
  helloTimeoutMs: 10_000,
  /** Sustained packets per second per connection (token bucket refill rate). */
  ratePerSecond: 20,
  /** Token bucket burst size. */
  rateBurst: 60,
  /** Frames queued for one slow WebSocket before it is closed with SLOW_CONSUMER. */
  maxOutboundQueueBytes: 4 * 1024 * 1024,
  /** How long the server remembers (sender, device, random_id) for idempotent resend. */
  idempotencyWindowMs: 7 * 24 * 3600_000,
} as const;
