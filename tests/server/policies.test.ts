import { describe, expect, it } from 'vitest';
import { LocalHub, LocalPresence } from '../../src-server';
import { drainDelay } from '../../src-server/drain';
import { TokenBucket } from '../../src-server/im/rate-limit';
import { wantsLineEphemeral } from '../../src-server/im/scope';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate and says how long to wait', () => {
    const b = new TokenBucket(10, 3, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([null, null, null]);
    expect(b.take(0)).toBe(100);
    expect(b.rejectedInARow).toBe(1);
    expect(b.take(50)).toBe(50);
    expect(b.take(100)).toBeNull();
    expect(b.rejectedInARow).toBe(0);
    // Never more than the burst, however long the pause.
    b.take(1_000_000);
    b.take(1_000_000);
    b.take(1_000_000);
    expect(b.take(1_000_000)).not.toBeNull();
  });
});

describe('drainDelay', () => {
  it('spreads reconnects uniformly over the window', () => {
    expect(drainDelay(() => 0, 10_000)).toBe(0);
    expect(drainDelay(() => 0.5, 10_000)).toBe(5_000);
    expect(drainDelay(() => 0.9999, 10_000)).toBe(9_999);
  });
});

describe('wantsLineEphemeral', () => {
  it('follows the need stack top', () => {
    expect(wantsLineEphemeral('customer', { view: 'line', line_id: 'l1' }, 'l1')).toBe(true);
    expect(wantsLineEphemeral('customer', { view: 'line', line_id: 'l2' }, 'l1')).toBe(false);
    expect(wantsLineEphemeral('customer', { view: 'list' }, 'l1')).toBe(false);
    expect(wantsLineEphemeral('customer', null, 'l1')).toBe(false);
    expect(wantsLineEphemeral('staff', { view: 'list' }, 'l1')).toBe(true);
    expect(wantsLineEphemeral('staff', null, 'l1')).toBe(true);
    expect(wantsLineEphemeral('staff', { view: 'background' }, 'l1')).toBe(false);
  });
});

describe('LocalPresence', () => {
  it('leases expire, device state survives between polls and is swept once stale', async () => {
    let now = 0;
    const p = new LocalPresence(() => now);
    const ch = {
      channel_id: 'c1',
      uid: 'u1',
      role: 'customer' as const,
      merchant_id: null,
      device_id: 'd1',
      transport: 'poll' as const,
    };
    await p.updateDevice('u1', 'd1', { focused: false });
    expect(await p.upsert(ch, 1_000)).toBe(true);
    expect(await p.upsert(ch, 1_000)).toBe(false);
    expect((await p.channels('u1'))[0]).toMatchObject({ focused: false, need: null });
    now = 1_000;
    expect((await p.online(['u1'])).size).toBe(0);
    expect(await p.upsert(ch, 1_000)).toBe(true);
    expect((await p.channels('u1'))[0]?.focused).toBe(false);
    await p.remove('c1');
    now = 200_000;
    await p.upsert({ ...ch, channel_id: 'c2', device_id: 'd2' }, 1_000);
    await p.upsert(ch, 1_000);
    expect((await p.channels('u1')).find((c) => c.device_id === 'd1')?.focused).toBe(true);
  });
});

describe('LocalHub', () => {
  it('isolates a failing listener and forgets users without listeners', async () => {
    const errors: unknown[] = [];
    const hub = new LocalHub((e) => errors.push(e));
    const got: number[] = [];
    const off1 = hub.subscribe('u', () => {
      throw new Error('boom');
    });
    const off2 = hub.subscribe('u', (s) => s.kind === 'inbox' && got.push(s.seq));
    await hub.publishInbox([
      { uid: 'u', seq: 4 },
      { uid: 'v', seq: 1 },
    ]);
    expect(got).toEqual([4]);
    expect(errors).toHaveLength(1);
    off1();
    off2();
    expect(hub.subscribedUsers).toBe(0);
  });
});
