import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LocalLoginAttempts, type LoginAttempts } from '../auth/login-attempts';
import type { LoginThrottleConfig } from '../auth/login-throttle';
import { RedisLoginAttempts } from '../auth/redis-login-attempts';
import { LocalHub } from '../hub/local';
import { RedisHub } from '../hub/redis';
import type { Hub } from '../hub/types';
import type { Logger } from '../logger';
import { PgMediaStore } from '../media/postgres-store';
import type { MediaStore } from '../media/types';
import { LocalPresence } from '../presence/local';
import { RedisPresence } from '../presence/redis';
import type { PresenceDirectory } from '../presence/types';
import { PostgresStore } from '../store/postgres/store';
import { InboxRepair } from './inbox-repair';
import { QueueSweep } from './queue-sweep';

/** How a node joins a cluster: `--db postgres://…` and `--redis redis://…` (IM_DB_URL, IM_REDIS_URL). */
export interface ClusterOptions {
  /** postgres://user@host:port/db[?schema=name] — the shared database. */
  dbUrl: string;
  /** redis://host:port[/db] — cross-node wake-ups and presence. Without it the node runs alone on PostgreSQL. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel. Default `im:`. */
  redisPrefix?: string;
  /** Unique per running node; default host-pid-random. */
  nodeId?: string;
  /** Database connections of this node. Default 10. */
  dbPoolSize?: number;
  /** Wake-up repair pace while Redis delivers (default 5 s) and while it does not (default 1 s). */
  repairIntervalMs?: number;
  degradedRepairIntervalMs?: number;
  /** Subscription health ping interval (default 2 s). */
  redisHealthIntervalMs?: number;
  /** How often each node looks for queued lines someone online could take (default 10 s). */
  queueSweepIntervalMs?: number;
}

/** What the node's server passes in. */
export interface ClusterContext {
  logger: Logger;
  now: () => number;
  stickyWindowMs: number;
  /** The sign-in throttle's numbers; with Redis every node counts against one budget. */
  loginThrottle: LoginThrottleConfig;
}

export interface ClusterHealth {
  ok: boolean;
  node: string;
  db: {
    ok: boolean;
    pool_total: number;
    pool_idle: number;
    pool_waiting: number;
    retries: number;
    unavailable: number;
  };
  redis: null | {
    ok: boolean;
    subscriber: string;
    publisher: string;
    presence: string;
    last_ping_ms_ago: number | null;
    resubscribes: number;
    publish_failures: number;
    presence_fallbacks: number;
    sign_in: string;
    sign_in_fallbacks: number;
  };
  repair: null | { passes: number; users_checked: number; failures: number };
  queue: { sweeps: number; assigned: number; failures: number };
}

export interface ClusterParts {
  nodeId: string;
  store: PostgresStore;
  /** Uploaded images in the shared database, so any node can send and serve an upload of any other. */
  media: MediaStore;
  hub: Hub;
  presence: PresenceDirectory;
  logins: LoginAttempts;
  /** Starts the background work (wake-up repair, queue sweep) once the server is up. */
  start(): void;
  /** Stops the background work and the sign-in throttle; the server then closes hub, presence and store as usual. */
  stop(): Promise<void>;
  /** For /healthz: the node serves when its database answers; Redis trouble only degrades it. */
  health(): Promise<ClusterHealth>;
}

export function defaultNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

/** The cluster's Store, Hub and Presence for one node, wired together. */
export function createClusterParts(options: ClusterOptions, context: ClusterContext): ClusterParts {
  const { logger, now } = context;
  const nodeId = options.nodeId ?? defaultNodeId();
  const store = new PostgresStore({
    url: options.dbUrl,
    poolSize: options.dbPoolSize,
    logger,
    applicationName: 'im-server',
  });
  const media = new PgMediaStore(store.db, now);
  const sweepOver = (hub: Hub, presence: PresenceDirectory): QueueSweep =>
    new QueueSweep({
      store,
      hub,
      presence,
      stickyWindowMs: context.stickyWindowMs,
      now,
      intervalMs: options.queueSweepIntervalMs,
      logger,
    });
  if (options.redisUrl === undefined) {
    const hub = new LocalHub((err) => logger.error({ err }, 'hub listener failed'));
    const presence = new LocalPresence(now);
    const sweep = sweepOver(hub, presence);
    return {
      nodeId,
      store,
      media,
      hub,
      presence,
      logins: new LocalLoginAttempts(context.loginThrottle),
      start: () => sweep.start(),
      stop: () => sweep.close(),
      health: async () => {
        const dbOk = await store.db.ping();
        return {
          ok: dbOk,
          node: nodeId,
          db: dbHealth(store, dbOk),
          redis: null,
          repair: null,
          queue: { ...sweep.stats },
        };
      },
    };
  }

  const prefix = options.redisPrefix ?? 'im:';
  let repair: InboxRepair | null = null;
  const hub = new RedisHub({
    url: options.redisUrl,
    prefix,
    nodeId,
    logger,
    healthIntervalMs: options.redisHealthIntervalMs,
    onMissed: (who) => repair?.request(who),
  });
  repair = new InboxRepair({
    hub,
    heads: (uids) => store.inboxHeads(uids),
    intervalMs: options.repairIntervalMs,
    degradedIntervalMs: options.degradedRepairIntervalMs,
    logger,
  });
  const presence = new RedisPresence({ url: options.redisUrl, prefix, nodeId, logger, now });
  const logins = new RedisLoginAttempts({
    url: options.redisUrl,
    prefix,
    nodeId,
    config: context.loginThrottle,
    logger,
    now,
  });
  const running = repair;
  const sweep = sweepOver(hub, presence);
  return {
    nodeId,
    store,
    media,
    hub,
    presence,
    logins,
    start: () => {
      running.start();
      sweep.start();
    },
    stop: async () => {
      await sweep.close();
      await running.close();
      await logins.close();
    },
    health: async () => {
      const dbOk = await store.db.ping();
      const h = hub.health();
      return {
        ok: dbOk,
        node: nodeId,
        db: dbHealth(store, dbOk),
        redis: {
          ok: h.ok && presence.status === 'ready' && logins.status === 'ready',
          subscriber: h.subscriber,
          publisher: h.publisher,
          presence: presence.status,
          last_ping_ms_ago: h.last_ping_ms_ago,
          resubscribes: h.resubscribes,
          publish_failures: h.publish_failures,
          presence_fallbacks: presence.fallbackCount,
          sign_in: logins.status,
          sign_in_fallbacks: logins.fallbackCount,
        },
        repair: { ...running.stats },
        queue: { ...sweep.stats },
      };
    },
  };
}

function dbHealth(store: PostgresStore, ok: boolean): ClusterHealth['db'] {
  const { pool, stats } = store.db;
  return {
    ok,
    pool_total: pool.totalCount,
    pool_idle: pool.idleCount,
    pool_waiting: pool.waitingCount,
    retries: stats.retries,
    unavailable: stats.unavailable,
  };
}
