/**
 * Every number the client core uses, with its default. Hosts override any subset through
 * `ClientCoreOptions.config`; tests shrink the timings.
 */
export interface ReconnectConfig {
  /** Up to this many consecutive errors, wait a uniformly random delay in [fastMinMs, fastMaxMs) (seed 3.3). */
  fastPhaseErrors: number;
  fastMinMs: number;
  fastMaxMs: number;
  /** Beyond the fast phase: decorrelated jitter, uniform in [backoffBaseMs, min(backoffCapMs, previous × backoffMultiplier)). */
  backoffBaseMs: number;
  backoffCapMs: number;
  backoffMultiplier: number;
  /** When the network returns or the machine wakes: a small uniformly random delay in [min, max). */
  promptMinMs: number;
  promptMaxMs: number;
  /** A connection that stays online this long resets the consecutive-error count. */
  stableAfterMs: number;
}

export interface TransportConfig {
  /** WebSocket must open and answer hello (the welcome) within this, or the channel falls back to long-poll. */
  wsProveMs: number;
  /** A WebSocket that dies within this of its welcome "died young". */
  wsYoungMs: number;
  /** This many young deaths in a row and the server's choice becomes long-poll. */
  wsMaxYoungDeaths: number;
  /** While on long-poll, probe WebSocket after this, doubling per failed probe up to probeMaxMs. */
  probeAfterMs: number;
  probeMaxMs: number;
  /** A probe socket must stay healthy this long before the channel moves onto it. */
  probeHoldMs: number;
  /** Long-poll wait asked of the server (the protocol caps it at 25 s). */
  pollWaitMs: number;
  /** Extra time past the poll wait before a silent poll request counts as dead. */
  pollGraceMs: number;
}

export interface HeartbeatConfig {
  /** Send an app-level ping after this much silence (the server's hello may announce another value). */
  intervalMs: number;
  /** No frame at all within this after a ping: the connection is dead and replaced. */
  timeoutMs: number;
}

export interface SyncConfig {
  /** Events per sync page. */
  pageSize: number;
  /** A request with no answer within this fails with TIMEOUT. */
  requestTimeoutMs: number;
}

export interface NotifyConfig {
  /** Messages older than this when they arrive (catch-up after a long absence) raise no notification. */
  freshForMs: number;
  /** Most characters of message text in a notification body. */
  previewChars: number;
}

export interface MediaConfig {
  /** Largest image `media.upload` accepts (the IPC contract's cap and the server's default, protocol §8). */
  maxBytes: number;
  /** The whole upload must finish within this, or it fails with TIMEOUT (8 MB over a slow hotel line). */
  uploadTimeoutMs: number;
  /** One image fetched for display (`media.get`) must arrive within this, or it fails with TIMEOUT. */
  downloadTimeoutMs: number;
  /**
   * Byte budget of the on-disk cache of fetched images (`<dataDir>/media-cache`): above it the least
   * recently shown are deleted (and fetched again when next shown). 0 keeps none for offline use.
   */
  cacheMaxBytes: number;
}

export interface ClientConfig {
  reconnect: ReconnectConfig;
  transport: TransportConfig;
  heartbeat: HeartbeatConfig;
  sync: SyncConfig;
  notify: NotifyConfig;
  media: MediaConfig;
  /** SQLite busy timeout: how long to wait for a lock before reporting STORE_LOCKED. */
  storeBusyTimeoutMs: number;
}

export const DEFAULT_CONFIG: ClientConfig = {
  reconnect: {
    fastPhaseErrors: 5,
    fastMinMs: 5_000,
    fastMaxMs: 20_000,
    backoffBaseMs: 20_000,
    backoffCapMs: 300_000,
    backoffMultiplier: 3,
    promptMinMs: 100,
    promptMaxMs: 2_000,
    stableAfterMs: 30_000,
  },
  transport: {
    wsProveMs: 2_500,
    wsYoungMs: 15_000,
    wsMaxYoungDeaths: 2,
    probeAfterMs: 60_000,
    probeMaxMs: 30 * 60_000,
    probeHoldMs: 5_000,
    pollWaitMs: 25_000,
    pollGraceMs: 10_000,
  },
  heartbeat: { intervalMs: 25_000, timeoutMs: 10_000 },
  sync: { pageSize: 500, requestTimeoutMs: 15_000 },
  notify: { freshForMs: 5 * 60_000, previewChars: 120 },
  media: {
    maxBytes: 8 * 1024 * 1024,
    uploadTimeoutMs: 120_000,
    downloadTimeoutMs: 60_000,
    cacheMaxBytes: 512 * 1024 * 1024,
  },
  storeBusyTimeoutMs: 2_000,
};

export type ConfigOverrides = {
  [K in keyof ClientConfig]?: ClientConfig[K] extends object ? Partial<ClientConfig[K]> : ClientConfig[K];
};

export function resolveConfig(overrides: ConfigOverrides = {}): ClientConfig {
  return {
    reconnect: { ...DEFAULT_CONFIG.reconnect, ...overrides.reconnect },
    transport: { ...DEFAULT_CONFIG.transport, ...overrides.transport },
    heartbeat: { ...DEFAULT_CONFIG.heartbeat, ...overrides.heartbeat },
    sync: { ...DEFAULT_CONFIG.sync, ...overrides.sync },
    notify: { ...DEFAULT_CONFIG.notify, ...overrides.notify },
    media: { ...DEFAULT_CONFIG.media, ...overrides.media },
    storeBusyTimeoutMs: overrides.storeBusyTimeoutMs ?? DEFAULT_CONFIG.storeBusyTimeoutMs,
  };
}
