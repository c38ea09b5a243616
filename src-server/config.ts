import { LIMITS } from '../src-shared/protocol';
import type { LoginThrottleConfig } from './auth/login-throttle';

/** Every limit and timeout of the server, each overridable through startServer options. */
export interface ServerConfig extends LoginThrottleConfig {
  maxPacketBytes: number;
  maxTextLength: number;
  maxSyncPage: number;
  /** Long-polls are held at most this long. */
  maxPollWaitMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  helloTimeoutMs: number;
  /** Token bucket per connection (WebSocket) or per device (HTTP). */
  ratePerSecond: number;
  rateBurst: number;
  /** Rejected packets in a row after which a WebSocket is closed with RATE_LIMITED_HARD. */
  rateAbuseLimit: number;
  maxOutboundQueueBytes: number;
  tokenTtlMs: number;
  /** An expired token may still be refreshed this long after expiry. */
  refreshGraceMs: number;
  /** A returning customer goes back to the staff member who served them within this window. */
  stickyWindowMs: number;
  /** Drain spreads reconnect delays uniformly over [0, drainWindowMs). */
  drainWindowMs: number;
  /** A long-polling device counts as live this long after its last poll ended. */
  pollPresenceGraceMs: number;
  /** Default per-staff capacity of new staff accounts. */
  defaultCapacity: number;
  /** Largest image upload (POST /v1/media), in bytes. */
  maxMediaBytes: number;
  /**
   * Largest image upload in pixels (width × height read from its header): a small file can
   * declare a huge picture that every client would have to decode (a decompression bomb).
   */
  maxImagePixels: number;
  /** An animation's canvas pixels times its frames: each frame is decoded again on every loop. */
  maxAnimationPixels: number;
  /** Token bucket for image uploads, per user. */
  mediaUploadRatePerSecond: number;
  mediaUploadBurst: number;
  /**
   * Inbox retention: events older than this may be trimmed (0 = no age limit). Conversation history
   * does not depend on the inbox; a device whose cursor fell behind what is kept gets a `reset`.
   */
  inboxRetentionMs: number;
  /** Each user's inbox keeps at most this many newest events, whatever their age (0 = no count limit). */
  inboxMaxEvents: number;
  /**
   * A customer waiting this long for an answer on an assigned line is announced to the assignee's
   * colleagues (a `line` event), and the end of that wait too; shorter waits cost no events (0 = never).
   */
  waitAnnounceAfterMs: number;
  /** How often each server (each cluster node) looks for long waits, before ±20 % jitter. */
  waitAnnounceIntervalMs: number;
}

export const DEFAULT_CONFIG: ServerConfig = {
  maxPacketBytes: LIMITS.maxPacketBytes,
  maxTextLength: LIMITS.maxTextLength,
  maxSyncPage: LIMITS.maxSyncPage,
  maxPollWaitMs: LIMITS.maxPollWaitMs,
  heartbeatIntervalMs: LIMITS.heartbeatIntervalMs,
  heartbeatTimeoutMs: LIMITS.heartbeatTimeoutMs,
  helloTimeoutMs: LIMITS.helloTimeoutMs,
  ratePerSecond: LIMITS.ratePerSecond,
  rateBurst: LIMITS.rateBurst,
  rateAbuseLimit: 200,
  maxOutboundQueueBytes: LIMITS.maxOutboundQueueBytes,
  tokenTtlMs: 12 * 3600_000,
  refreshGraceMs: 7 * 24 * 3600_000,
  stickyWindowMs: 7 * 24 * 3600_000,
  drainWindowMs: 10_000,
  pollPresenceGraceMs: 15_000,
  defaultCapacity: 10,
  maxMediaBytes: 8 * 1024 * 1024,
  maxImagePixels: 40_000_000,
  maxAnimationPixels: 200_000_000,
  mediaUploadRatePerSecond: 0.5,
  mediaUploadBurst: 20,
  inboxRetentionMs: 30 * 24 * 3600_000,
  inboxMaxEvents: 20_000,
  waitAnnounceAfterMs: 2 * 60_000,
  waitAnnounceIntervalMs: 15_000,
  loginFreeFailuresPerAccountAddress: 5,
  loginFreeFailuresPerAccount: 20,
  loginFreeFailuresPerAddress: 50,
  loginDelayBaseMs: 1_000,
  loginDelayMaxMs: 15 * 60_000,
  loginForgetAfterMs: 3600_000,
};
