import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisPresence } from '../../src-server/presence/redis';
import type { Channel } from '../../src-server/presence/types';
import { waitUntil } from './support/ports';
import { OwnRedis, REDIS_URL, testPrefix } from './support/redis-server';

const open: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await ('stop' in thing ? thing.stop() : thing.close());
});
function presence(nodeId: string, prefix: string, url = REDIS_URL): RedisPresence {
  const p = new RedisPresence({ url, prefix, nodeId });
  open.push(p);
  return p;
}
const channel = (uid: string, id: string, device = 'd1', transport: Channel['transport'] = 'ws'): Channel => ({
  channel_id: id,
  uid,
  role: 'staff',
  merchant_id: 'm1',
  device_id: device,
  transport,
});
const ready = (p: RedisPresence): Promise<void> => waitUntil(() => p.status === 'ready', 3_000, 'presence connected');

describe('Redis presence', () => {
  it('is shared by every node: online, first-channel flag, channels with device state', async () => {
    const prefix = testPrefix('presence');
    const a = presence('a', prefix);
    const b = presence('b', prefix);
    await Promise.all([ready(a), ready(b)]);
    expect(await a.upsert(channel('1', 'ws-1'), 10_000)).toBe(true);
    // Same channel id on another node is another channel: ids are only unique per node.
    expect(await b.upsert(channel('1', 'ws-1', 'd2'), 10_000)).toBe(false);
    expect(await b.online(['1', '2'])).toEqual(new Set(['1']));
    await b.updateDevice('1', 'd2', { focused: false });
    await a.updateDevice('1', 'd1', { need: { view: 'line', line_id: '42' } });
    const seen = (await a.channels('1')).sort((x, y) => x.device_id.localeCompare(y.device_id));
    expect(seen).toEqual([
      { ...channel('1', 'ws-1', 'd1'), focused: true, need: { view: 'line', line_id: '42' } },
      { ...channel('1', 'ws-1', 'd2'), focused: false, need: null },
    ]);
    await a.remove('ws-1');
    expect((await b.channels('1')).map((c) => c.device_id)).toEqual(['d2']);
    await b.remove('ws-1');
    expect(await a.online(['1'])).toEqual(new Set());
  });

  it('leases run out on their own (a dead node takes its channels with it), and keys carry a TTL', async () => {
    const prefix = testPrefix('presence');
    const a = presence('a', prefix);
    const b = presence('b', prefix);
    await Promise.all([ready(a), ready(b)]);
    await a.upsert(channel('5', 'poll:5:d1', 'd1', 'poll'), 300);
    await a.updateDevice('5', 'd1', { focused: true });
    expect(await b.online(['5'])).toEqual(new Set(['5']));
    const admin = new Redis(REDIS_URL);
    open.push({ close: () => admin.quit().then(() => undefined) });
    for (const key of ['ch', 'chd', 'dev']) expect(await admin.pttl(`${prefix}${key}:5`)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 400));
    expect(await b.online(['5'])).toEqual(new Set());
    expect(await b.channels('5')).toEqual([]);
    // Refreshing after expiry counts as coming online again.
    expect(await b.upsert(channel('5', 'poll:5:d1', 'd1', 'poll'), 10_000)).toBe(true);
  });

  it('answers from this node’s own channels while Redis is unreachable', async () => {
    const p = presence('a', testPrefix('down'), 'redis://127.0.0.1:1');
    expect(await p.upsert(channel('8', 'ws-8'), 10_000)).toBe(true);
    expect(await p.upsert(channel('8', 'ws-9', 'd2'), 10_000)).toBe(false);
    await p.updateDevice('8', 'd2', { focused: false });
    expect(await p.online(['8', '9'])).toEqual(new Set(['8']));
    expect((await p.channels('8')).map((c) => [c.channel_id, c.focused])).toEqual([
      ['ws-8', true],
      ['ws-9', false],
    ]);
    await p.remove('ws-8');
    await p.remove('ws-9');
    expect(await p.online(['8'])).toEqual(new Set());
    expect(p.fallbackCount).toBeGreaterThan(0);
  });

  it('writes its live channels and device states again after Redis restarts empty', async () => {
    const redis = await OwnRedis.start();
    open.push(redis);
    const prefix = testPrefix('restore');
    const a = presence('a', prefix, redis.url);
    const b = presence('b', prefix, redis.url);
    await Promise.all([ready(a), ready(b)]);
    await a.upsert(channel('3', 'ws-3'), 30_000);
    await a.updateDevice('3', 'd1', { focused: false });
    await redis.restart(200);
    await waitUntil(async () => (await b.online(['3'])).has('3'), 8_000, 'presence restored');
    expect((await b.channels('3'))[0]).toMatchObject({ channel_id: 'ws-3', focused: false });
  });
});
