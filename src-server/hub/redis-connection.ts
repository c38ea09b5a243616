import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger';

/**
 * Redis connections of one node. `command` connections fail fast while Redis is away (no offline
 * queue, bounded command time), so a request never hangs on Redis: callers fall back and the durable
 * inbox in PostgreSQL repairs what was missed. The `subscriber` connection queues its SUBSCRIBEs and
 * resubscribes by itself after a reconnect.
 */
export type RedisRole = 'command' | 'subscriber';

export interface RedisConnectionOptions {
  url: string;
  /** Shows in CLIENT LIST, so operators see which node holds which connection. */
  name: string;
  logger?: Logger;
  commandTimeoutMs?: number;
}

/** Reconnect quickly at first, then every second at most: Redis restarts take about that long. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 5), 1_000);
}

export function openRedis(role: RedisRole, options: RedisConnectionOptions): Redis {
  const common: RedisOptions = {
    connectionName: options.name,
    connectTimeout: 2_000,
    keepAlive: 10_000,
    retryStrategy: reconnectDelay,
    lazyConnect: false,
  };
  const redis =
    role === 'command'
      ? new Redis(options.url, {
          ...common,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          commandTimeout: options.commandTimeoutMs ?? 1_000,
        })
      : new Redis(options.url, {
          ...common,
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          autoResubscribe: true,
        });
  // ioredis reports connection trouble as events; without a listener they would be printed as unhandled.
  redis.on('error', (err: Error) => options.logger?.debug({ err, redis: options.name }, 'redis connection error'));
  return redis;
}

/** Close without waiting on a Redis that may be gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  await Promise.race([
    redis.quit().then(() => undefined),
    new Promise<void>((resolve) => setTimeout(resolve, 500).unref()),
  ]).catch(() => undefined);
  redis.disconnect();
}
