import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { push } from '../../src-shared/protocol';
import { RedisHub, type RedisHubOptions } from '../../src-server/hub/redis';
import type { HubSignal } from '../../src-server/hub/types';
import { waitUntil } from './support/ports';
import { OwnRedis, REDIS_URL, testPrefix } from './support/redis-server';
import { TcpProxy } from './support/tcp-proxy';

const open: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await ('stop' in thing ? thing.stop() : thing.close());
});
function track<T extends { close(): Promise<void> } | { stop(): Promise<void> }>(thing: T): T {
  open.push(thing);
  return thing;
}

interface Node {
  hub: RedisHub;
  missed: Array<readonly string[] | 'all'>;
}
function node(nodeId: string, prefix: string, over: Partial<RedisHubOptions> = {}): Node {
  const missed: Node['missed'] = [];
  const hub = track(
    new RedisHub({
      url: REDIS_URL,
      prefix,
      nodeId,
      healthIntervalMs: 100,
      onMissed: (who) => missed.push(who),
      ...over,
    }),
  );
  return { hub, missed };
}
function listen(hub: RedisHub, uid: string): { signals: HubSignal[]; off: () => void } {
  const signals: HubSignal[] = [];
  const off = hub.subscribe(uid, (s) => signals.push(s));
  return { signals, off };
}
const live = (n: Node, uid: string): Promise<void> =>
  waitUntil(() => n.missed.some((m) => m !== 'all' && m.includes(uid)), 3_000, `${uid} subscribed`);

describe('Redis hub', () => {
  it('a commit on node A wakes the listener on node B at once, and A’s own listener exactly once', async () => {
    const prefix = testPrefix('hub');
    const a = node('a', prefix);
    const b = node('b', prefix);
    const onB = listen(b.hub, '7');
    const onA = listen(a.hub, '7');
    await live(b, '7');
    await live(a, '7');
    const started = Date.now();
    await a.hub.publishInbox([{ uid: '7', seq: 3 }]);
    expect(onA.signals).toEqual([{ kind: 'inbox', seq: 3 }]);
    await waitUntil(() => onB.signals.length > 0, 2_000, 'signal on B');
    expect(Date.now() - started).toBeLessThan(200);
    expect(onB.signals).toEqual([{ kind: 'inbox', seq: 3 }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(onA.signals).toHaveLength(1);
  });

  it('carries the committed event to other nodes (so they push it without a read), except a large one', async () => {
    const prefix = testPrefix('hub');
    const a = node('a', prefix);
    const b = node('b', prefix);
    const onB = listen(b.hub, '8');
    await live(b, '8');
    const small = JSON.stringify({ kind: 'message', seq: 5, message: { text: 'hello 你好 "quoted"' } });
    const large = JSON.stringify({ kind: 'message', seq: 6, message: { text: 'x'.repeat(20_000) } });
    await a.hub.publishInbox([{ uid: '8', seq: 5, event: small }]);
    await a.hub.publishInbox([{ uid: '8', seq: 6, event: large }]);
    await waitUntil(() => onB.signals.length === 2, 2_000, 'two signals on B');
    expect(onB.signals[0]).toEqual({ kind: 'inbox', seq: 5, event: small });
    expect(onB.signals[1]).toStrictEqual({ kind: 'inbox', seq: 6 });
  });

  it('ephemeral pushes cross nodes; other prefixes and other users hear nothing', async () => {
    const prefix = testPrefix('hub');
    const a = node('a', prefix);
    const b = node('b', prefix);
    const stranger = node('b', testPrefix('other'));
    const onB = listen(b.hub, '9');
    const otherUser = listen(b.hub, '10');
    const otherCluster = listen(stranger.hub, '9');
    await live(b, '9');
    await live(stranger, '9');
    const envelope = push('typing', { line_id: '1', uid: '2', display_name: 'X' });
    await a.hub.publishEphemeral(['9'], { envelope, line_id: '1' });
    await waitUntil(() => onB.signals.length > 0, 2_000, 'typing on B');
    expect(onB.signals).toEqual([{ kind: 'ephemeral', push: { envelope, line_id: '1' } }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(otherUser.signals).toEqual([]);
    expect(otherCluster.signals).toEqual([]);
  });

  it('keeps a user’s channel subscribed for a while after the last listener leaves, then lets it go', async () => {
    const prefix = testPrefix('hub');
    const b = node('b', prefix, { lingerMs: 300 });
    const admin = new Redis(REDIS_URL);
    track({ close: () => admin.quit().then(() => undefined) });
    const subscribers = async (): Promise<number> =>
      Number(((await admin.pubsub('NUMSUB', `${prefix}u:5`)) as [string, number])[1]);
    const first = listen(b.hub, '5');
    await live(b, '5');
    first.off();
    expect(await subscribers()).toBe(1);
    // A long-poll that comes right back finds the channel still live: no new subscription, no repair needed.
    const again = listen(b.hub, '5');
    expect(b.missed.filter((m) => m !== 'all' && m.includes('5'))).toHaveLength(1);
    again.off();
    await waitUntil(async () => (await subscribers()) === 0, 2_000, 'unsubscribe after linger');
    expect(b.hub.localUsers()).toEqual([]);
  });

  it('publishing never fails a write while Redis is unreachable; local listeners are still woken', async () => {
    const hub = track(
      new RedisHub({ url: 'redis://127.0.0.1:1', prefix: testPrefix('down'), nodeId: 'x', healthIntervalMs: 100 }),
    );
    const local = listen(hub, '3');
    await expect(hub.publishInbox([{ uid: '3', seq: 1 }])).resolves.toBeUndefined();
    expect(local.signals).toEqual([{ kind: 'inbox', seq: 1 }]);
    await waitUntil(() => hub.health().publish_failures > 0, 2_000, 'a counted publish failure');
    expect(hub.health().ok).toBe(false);
  });

  it('finds a wedged subscription (connection open, nothing delivered), reconnects and asks for a repair', async () => {
    const prefix = testPrefix('wedge');
    const proxy = track(await TcpProxy.start(6379));
    const a = node('a', prefix);
    const b = node('b', prefix, {
      url: `redis://127.0.0.1:${proxy.port}`,
      healthIntervalMs: 100,
      healthTimeoutMs: 400,
    });
    const onB = listen(b.hub, '11');
    await live(b, '11');
    await waitUntil(() => b.hub.health().ok, 2_000, 'healthy subscription');

    proxy.wedge();
    await a.hub.publishInbox([{ uid: '11', seq: 1 }]);
    await new Promise((r) => setTimeout(r, 150));
    expect(onB.signals).toEqual([]); // lost on the wedged connection
    await waitUntil(() => b.missed.includes('all'), 5_000, 'wedge detected and subscription restored');
    expect(b.hub.health().resubscribes).toBeGreaterThanOrEqual(1);

    await a.hub.publishInbox([{ uid: '11', seq: 2 }]);
    await waitUntil(() => onB.signals.length > 0, 2_000, 'signal after resubscribe');
    expect(onB.signals).toEqual([{ kind: 'inbox', seq: 2 }]);
  });

  it('comes back after Redis restarts empty: resubscribes, asks for a repair, delivers again', async () => {
    const redis = track(await OwnRedis.start());
    const prefix = testPrefix('restart');
    const a = node('a', prefix, { url: redis.url });
    const b = node('b', prefix, { url: redis.url });
    const onB = listen(b.hub, '12');
    await live(b, '12');
    await redis.restart(300);
    await waitUntil(() => b.missed.includes('all'), 8_000, 'subscription restored after the restart');
    await waitUntil(() => a.hub.health().publisher === 'ready', 5_000, 'publisher back');
    await a.hub.publishInbox([{ uid: '12', seq: 4 }]);
    await waitUntil(() => onB.signals.length > 0, 6_000, 'signal after restart');
    expect(onB.signals).toEqual([{ kind: 'inbox', seq: 4 }]);
    await waitUntil(() => b.hub.health().ok, 6_000, 'healthy again');
  });
});
