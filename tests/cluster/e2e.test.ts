import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src-server/store/postgres/store';
import { runChatTraffic, seedMerchant, type TrafficPlan } from './support/chat-traffic';
import { TestNginx, nginxBinary } from './support/nginx';
import { NodeProcess } from './support/node-process';
import { freePort, waitUntil } from './support/ports';
import { OwnPostgres } from './support/postgres-server';
import { OwnRedis, testPrefix } from './support/redis-server';

/**
 * Three nodes as separate processes on one PostgreSQL and one Redis — both our own instances, so they
 * can really be restarted — with staff and customers spread over the nodes on both transports.
 * Each fault strikes mid-traffic; afterwards every message must be in both inboxes of its line exactly
 * once, in order. The same suite runs once against the nodes directly and once through nginx with the
 * shipped location config.
 */
const STAFF = ['staff-a', 'staff-b', 'staff-c'];
const postgres = OwnPostgres.available();
const nginx = nginxBinary();
if (!postgres.ok) console.warn(`cluster e2e skipped: ${postgres.reason}`);
if (!nginx) console.warn('cluster e2e through nginx skipped: no nginx binary (.ci/run installs it)');

const modes = [
  { mode: 'direct', enabled: postgres.ok },
  { mode: 'nginx', enabled: postgres.ok && nginx !== null },
] as const;

for (const { mode, enabled } of modes) {
  describe.runIf(enabled)(`cluster of three nodes (${mode})`, () => {
    let pg: OwnPostgres;
    let redis: OwnRedis;
    let store: PostgresStore;
    let nodes: NodeProcess[] = [];
    let balancer: TestNginx | null = null;

    beforeAll(async () => {
      [pg, redis] = await Promise.all([OwnPostgres.start(), OwnRedis.start()]);
      const dbUrl = `${pg.url}?schema=im_e2e`;
      store = new PostgresStore({ url: dbUrl, poolSize: 2 });
      await store.migrate();
      await seedMerchant(store, STAFF);
      const prefix = testPrefix(`e2e-${mode}`);
      const ports = [await freePort(), await freePort(), await freePort()];
      nodes = ports.map(
        (port, i) => new NodeProcess({ nodeId: `n${i + 1}`, port, dbUrl, redisUrl: redis.url, redisPrefix: prefix }),
      );
      await Promise.all(nodes.map((n) => n.start()));
      if (mode === 'nginx') balancer = await TestNginx.start(nginx!, ports);
    }, 60_000);

    afterAll(async () => {
      await balancer?.stop();
      await Promise.all(nodes.map((n) => n.dispose()));
      await store?.close();
      await redis?.stop();
      await pg?.stop();
    });

    const plan = (tag: string, fault: TrafficPlan['fault']): TrafficPlan => ({
      tag: `${mode}-${tag}`,
      store,
      urls: balancer ? [balancer.url] : nodes.map((n) => n.url),
      staffLogins: STAFF,
      customers: 8,
      messagesPerCustomer: 25,
      repliesPerLine: 8,
      gapMs: 40,
      fault,
      faultAfterMs: 600,
    });

    // Behind nginx, a node is only back once the balancer has stopped counting it as failed.
    const balancerAnswers = async (): Promise<boolean> => {
      if (!balancer) return true;
      const res = await fetch(`${balancer.url}/healthz`, { signal: AbortSignal.timeout(1_000) }).catch(() => null);
      return res?.headers.get('content-type')?.includes('application/json') === true && res.ok;
    };
    const allHealthy = (): Promise<void> =>
      waitUntil(
        async () =>
          (await Promise.all(nodes.map((n) => n.health()))).every((h) => h?.ok === true && h.redis?.ok === true) &&
          (await balancerAnswers()),
        15_000,
        'every node healthy',
      );

    it('kill -9 of one node mid-traffic: its clients move to the others; every message exactly once, in order', async () => {
      // Behind nginx the balancer decides where clients land and hides a dead node from long-polls, so
      // the victim is the node holding the most WebSockets when the fault strikes: its clients must move.
      let victim: NodeProcess | null = null;
      let victimSockets = 0;
      const report = await runChatTraffic(
        plan('kill', async () => {
          const counts = await Promise.all(nodes.map(async (n) => (await n.health())?.connections?.websocket ?? 0));
          victimSockets = Math.max(...counts);
          victim = nodes[counts.indexOf(victimSockets)]!;
          await victim.kill9();
        }),
      );
      expect(victimSockets).toBeGreaterThan(0);
      expect(report.problems).toEqual([]);
      expect(report.messages).toBe(8 * (25 + 8));
      expect(report.moves).toBeGreaterThan(0);
      await victim!.start();
    }, 90_000);

    it('rolling restart with graceful drain (an upgrade without downtime): nothing lost or doubled', async () => {
      await allHealthy();
      const report = await runChatTraffic(
        plan('rolling', async () => {
          for (const node of nodes) {
            await node.stop();
            await node.start();
          }
        }),
      );
      expect(report.problems).toEqual([]);
      expect(report.moves).toBeGreaterThan(0);
    }, 90_000);

    it('Redis restart mid-traffic (crash, 0.5 s down, back empty): nothing lost or doubled', async () => {
      await allHealthy();
      const report = await runChatTraffic(plan('redis', () => redis.restart(500)));
      expect(report.problems).toEqual([]);
      await allHealthy();
      const health = await Promise.all(nodes.map((n) => n.health()));
      expect(health.every((h) => ((h?.redis as { resubscribes?: number } | undefined)?.resubscribes ?? 0) >= 1)).toBe(
        true,
      );
    }, 90_000);

    it('PostgreSQL restart mid-traffic (immediate stop, 1.5 s down, crash recovery): nothing lost or doubled', async () => {
      await allHealthy();
      const report = await runChatTraffic(plan('pg', () => pg.restart(1_500)));
      expect(report.problems).toEqual([]);
      const health = await Promise.all(nodes.map((n) => n.health()));
      expect(health.map((h) => h?.ok)).toEqual([true, true, true]);
    }, 90_000);
  });
}
