import { parseArgs } from 'node:util';
import { retentionFromEnv } from './inbox/retention';
import { waitAnnounceFromEnv } from './inbox/wait-announcer';
import { startServer } from './server';
import { startSimulation } from './sim/simulate';

/**
 * `npm run server -- --port P --data-dir D [--host H] [--demo] [--simulate N]`
 * Cluster mode: `--db postgres://… [--redis redis://…] [--redis-prefix P] [--node-id ID] [--db-pool N]`.
 * Every flag has an environment equivalent: IM_PORT, IM_DATA_DIR, IM_HOST, IM_DEMO=1, IM_SIMULATE,
 * IM_DB_URL, IM_REDIS_URL, IM_REDIS_PREFIX, IM_NODE_ID, IM_DB_POOL; `--trust-proxy A,B` (IM_TRUST_PROXY) names the
 * reverse proxies whose X-Forwarded-For gives the client address.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.IM_PORT ?? '8080' },
    'data-dir': { type: 'string', default: process.env.IM_DATA_DIR ?? '.data/server' },
    host: { type: 'string', default: process.env.IM_HOST ?? '127.0.0.1' },
    demo: { type: 'boolean', default: process.env.IM_DEMO === '1' || process.env.IM_DEMO === 'true' },
    simulate: { type: 'string', default: process.env.IM_SIMULATE ?? '0' },
    db: { type: 'string', default: process.env.IM_DB_URL },
    redis: { type: 'string', default: process.env.IM_REDIS_URL },
    'redis-prefix': { type: 'string', default: process.env.IM_REDIS_PREFIX },
    'node-id': { type: 'string', default: process.env.IM_NODE_ID },
    'db-pool': { type: 'string', default: process.env.IM_DB_POOL ?? '10' },
    'trust-proxy': { type: 'string', default: process.env.IM_TRUST_PROXY },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'usage: npm run server -- --port P --data-dir D [--host H] [--demo] [--simulate N]\n' +
      '       [--db postgres://… [--redis redis://… --redis-prefix P --node-id ID --db-pool N]]   (cluster mode)\n' +
      '       [--trust-proxy 127.0.0.1,10.0.0.0/8]   (behind a reverse proxy)\n',
  );
  process.exit(0);
}

const port = Number(values.port);
const simulate = Number(values.simulate);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
if (!Number.isInteger(simulate) || simulate < 0) throw new Error(`bad --simulate ${values.simulate}`);
const dbPool = Number(values['db-pool']);
if (!Number.isInteger(dbPool) || dbPool < 1) throw new Error(`bad --db-pool ${values['db-pool']}`);
// Nodes share state only through PostgreSQL: Redis next to a per-node SQLite file would be a split brain.
if (values.redis && !values.db)
  throw new Error('--redis needs --db postgres://… (cluster mode shares one PostgreSQL database)');

const server = await startServer({
  port,
  host: values.host,
  trustProxy: values['trust-proxy'] === 'true' ? true : values['trust-proxy'],
  dataDir: values['data-dir'],
  demo: values.demo || simulate > 0,
  cluster: values.db
    ? {
        dbUrl: values.db,
        redisUrl: values.redis,
        redisPrefix: values['redis-prefix'],
        nodeId: values['node-id'],
        dbPoolSize: dbPool,
      }
    : undefined,
  ...retentionFromEnv(process.env),
  ...waitAnnounceFromEnv(process.env),
});
server.logger.info(
  { url: server.url, customer_page: `${server.url}/customer/`, demo: values.demo || simulate > 0 },
  'ready',
);
const simulation =
  simulate > 0
    ? await startSimulation(server.url, server.store, {
        customers: simulate,
        logger: server.logger.child({ part: 'simulate' }),
      })
    : null;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    (simulation?.stop() ?? Promise.resolve())
      .then(() => server.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          server.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  });
}
