/**
 * One IM cluster node for the benchmark: the real server in cluster mode (PostgreSQL + Redis), with
 * the per-connection rate limit lifted so the load generator's few connections can carry the load.
 * Prints {"port":N} once listening; SIGTERM drains and exits.
 * Args: <dbUrl> <redisUrl> <redisPrefix> <nodeId> <dbPool> [port]
 */
import { startServer } from '../../src-server';

const [dbUrl, redisUrl, redisPrefix, nodeId, dbPool, port] = process.argv.slice(2);
if (!dbUrl || !redisUrl || !redisPrefix || !nodeId || !dbPool)
  throw new Error('usage: im-node.ts <dbUrl> <redisUrl> <prefix> <nodeId> <dbPool> [port]');
const server = await startServer({
  dataDir: '',
  port: Number(port ?? 0),
  logger: false,
  ratePerSecond: 1e6,
  rateBurst: 1e6,
  cluster: { dbUrl, redisUrl, redisPrefix, nodeId, dbPoolSize: Number(dbPool) },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
