import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { LoggerOptions } from 'pino';
import { LocalLoginAttempts } from './auth/login-attempts';
import type { PasswordCost } from './auth/passwords';
import { TokenIssuer } from './auth/tokens';
import { createClusterParts, type ClusterOptions } from './cluster/node';
import { DEFAULT_CONFIG, type ServerConfig } from './config';
import { seedDemo } from './demo/seed';
import { drainDelay } from './drain';
import { registerCustomerPage } from './gateway/customer-page';
import { registerHttpRoutes } from './gateway/http';
import { registerMediaRoutes } from './gateway/media';
import { PollGateway } from './gateway/poll';
import { WsGateway } from './gateway/ws-gateway';
import { LocalHub } from './hub/local';
import type { Hub } from './hub/types';
import { RequestHandlers, type ImContext } from './im/handlers';
import { InboxTrimmer } from './inbox/trimmer';
import { WaitAnnouncer } from './inbox/wait-announcer';
import { createLogger, type Logger } from './logger';
import { FileMediaStore } from './media/file-store';
import type { MediaStore } from './media/types';
import { LocalPresence } from './presence/local';
import { LoggingRemotePush, type RemotePush } from './presence/remote-push';
import type { PresenceDirectory } from './presence/types';
import { SqliteStore } from './store/sqlite/store';
import type { Store } from './store/types';

export interface StartServerOptions extends Partial<ServerConfig> {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Behind a reverse proxy: which proxies' X-Forwarded-For to believe (comma-separated addresses or
   * CIDRs, or true for any), so sign-in throttling sees the client's address. Default: none.
   */
  trustProxy?: boolean | string;
  /** Where the embedded SQLite database lives (ignored when `store` is given). */
  dataDir: string;
  /** Load the demo merchants, staff, customers and history (idempotent). */
  demo?: boolean;
  /** scrypt cost for the demo accounts' passwords (tests pass a cheap one); default: the real cost. */
  passwordCost?: PasswordCost;
  /** `false` silences logs; otherwise pino options. */
  logger?: false | LoggerOptions;
  /** Plug-in points for a cluster: a shared database, cross-node fan-out and presence. */
  store?: Store;
  hub?: Hub;
  presence?: PresenceDirectory;
  remotePush?: RemotePush;
  /** Where uploaded images live; default: the cluster's database in cluster mode, else files under `<dataDir>/media`. */
  media?: MediaStore;
  /** Cluster mode: the PostgreSQL store, plus Redis fan-out and presence when `redisUrl` is set. */
  cluster?: ClusterOptions;
  /** Token signing secret; default: created once and kept in the store, shared by all nodes. */
  tokenSecret?: string;
  /** Injected clock and randomness (tests). */
  now?: () => number;
  random?: () => number;
}

export interface RunningServer {
  /** http://host:port — WebSocket at `${url.replace('http', 'ws')}/v1/ws`. */
  url: string;
  port: number;
  host: string;
  store: Store;
  hub: Hub;
  presence: PresenceDirectory;
  config: ServerConfig;
  logger: Logger;
  /** Graceful: stop accepting, drain clients with spread retry delays, answer held polls, close the db. */
  close(): Promise<void>;
  /** Abrupt, as if the process died: sockets cut, nothing drained (committed data stays on disk). */
  kill(): Promise<void>;
  /** Live WebSocket connections (for tests and metrics). */
  connectionCount(): number;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const config: ServerConfig = { ...DEFAULT_CONFIG };
  for (const key of Object.keys(DEFAULT_CONFIG) as Array<keyof ServerConfig>) {
    const value = options[key];
    if (typeof value === 'number') config[key] = value;
  }
  const logger = createLogger(options.logger);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  const cluster = options.cluster
    ? createClusterParts(options.cluster, { logger, now, stickyWindowMs: config.stickyWindowMs, loginThrottle: config })
    : null;
  const store =
    options.store ??
    cluster?.store ??
    new SqliteStore({ dataDir: options.dataDir, defaultCapacity: config.defaultCapacity });
  // Inbox retention runs on every server and every node; overlapping runs are harmless.
  const trimmer = new InboxTrimmer({ store, config, now, random, logger });
  await store.migrate();
  const secret =
    options.tokenSecret ?? (await store.getOrCreateMeta('token_secret', () => randomBytes(32).toString('base64url')));
  const hub = options.hub ?? cluster?.hub ?? new LocalHub((err) => logger.error({ err }, 'hub listener failed'));
  const presence = options.presence ?? cluster?.presence ?? new LocalPresence(now);
  // Long waits reach the assignee's colleagues; every server and node runs it, each wait goes out once.
  const announcer = new WaitAnnouncer({ store, hub, config, now, random, logger });
  const ctx: ImContext = {
    store,
    hub,
    presence,
    remotePush: options.remotePush ?? new LoggingRemotePush(logger),
    media: options.media ?? cluster?.media ?? new FileMediaStore(join(options.dataDir, 'media'), now),
    tokens: new TokenIssuer(secret, config.tokenTtlMs, config.refreshGraceMs, now),
    config,
    logger,
    now,
  };
  if (options.demo) await seedDemo(store, { now: now(), cost: options.passwordCost });

  const handlers = new RequestHandlers(ctx);
  const polls = new PollGateway(ctx, handlers);
  const sockets = new WsGateway(ctx, handlers);
  let draining = false;

  // Fastify's own logging stays off: the gateway logs what matters through `logger`.
  const app = Fastify({ logger: false, forceCloseConnections: true, trustProxy: options.trustProxy ?? false });
  registerHttpRoutes(app, {
    ctx,
    handlers,
    polls,
    isDraining: () => draining,
    webSocketCount: () => sockets.size,
    health: cluster ? () => cluster.health() : undefined,
    logins: cluster?.logins ?? new LocalLoginAttempts(config),
  });
  await registerMediaRoutes(app, ctx);
  await registerCustomerPage(app, store);
  app.server.on('upgrade', (req, socket, head) => sockets.handleUpgrade(req, socket, head));

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  logger.info({ port: address.port, host }, 'IM server listening');
  cluster?.start();
  trimmer.start();
  announcer.start();

  let ended: Promise<void> | null = null;
  const releaseResources = async (): Promise<void> => {
    await trimmer.close();
    await announcer.close();
    await cluster?.stop();
    await hub.close();
    await presence.close();
    await store.close();
  };

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host,
    store,
    hub,
    presence,
    config,
    logger,
    connectionCount: () => sockets.size,
    close: () =>
      (ended ??= (async () => {
        draining = true;
        logger.info({ connections: sockets.size, held_polls: polls.heldCount }, 'draining');
        const delayFor = (): number => drainDelay(random, config.drainWindowMs);
        polls.drain(delayFor);
        await sockets.drain(delayFor, 2_000);
        await app.close();
        await releaseResources();
        logger.info('stopped');
      })()),
    kill: () =>
      (ended ??= (async () => {
        draining = true;
        sockets.kill();
        polls.drain(() => 0);
        app.server.closeAllConnections();
        await app.close();
        await releaseResources();
      })()),
  };
}
