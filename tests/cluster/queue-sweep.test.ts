import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../src-server';
import { QueueSweep } from '../../src-server/cluster/queue-sweep';
import { LocalHub } from '../../src-server/hub/local';
import type { HubSignal } from '../../src-server/hub/types';
import { LocalPresence } from '../../src-server/presence/local';
import { PostgresStore } from '../../src-server/store/postgres/store';
import { createTestSchema, type TestSchema } from './support/pg';
import { storeAccount } from '../support/store-accounts';

/**
 * The cluster's queue sweep: a line queued while nobody was online is handed out by the next sweep
 * once someone with capacity is, and the people concerned are woken through the hub.
 */
let schema: TestSchema;
let store: PostgresStore;
let presence: LocalPresence;
let hub: LocalHub;
let alice: Account;
let customer: Account;

beforeEach(async () => {
  schema = await createTestSchema('sweep');
  store = new PostgresStore({ url: schema.url, poolSize: 2 });
  await store.migrate();
  await store.putMerchant({ merchant_id: 'm1', name: 'Hotel' }, 0);
  await store.putObject({ object_id: 'room', kind: 'room', title: 'Room', merchant_id: 'm1' });
  alice = await storeAccount(store, 'alice', 'staff', 'm1', { capacity: 2 });
  customer = await storeAccount(store, 'cust', 'customer', 'm1');
  presence = new LocalPresence(() => Date.now());
  hub = new LocalHub();
});
afterEach(async () => {
  await presence.close();
  await hub.close();
  await store.close();
  await schema.drop();
});

describe('queue sweep', () => {
  it('assigns a queued line once staff with capacity are online, and wakes them; nothing while nobody is', async () => {
    const sent = await store.send({
      sender: customer,
      device_id: 'd1',
      random_id: 'sweep0-000000000001',
      target: { to: { object_id: 'room', busi_type: 'consult' } },
      content: { type: 'text', text: 'anyone there?' },
      now: Date.now(),
      onlineStaff: new Set(),
      stickyWindowMs: 0,
    });
    expect(sent.line.assignee).toBeNull();
    const woken: HubSignal[] = [];
    hub.subscribe(alice.uid, (s) => woken.push(s));
    const sweep = new QueueSweep({
      store,
      presence,
      hub,
      stickyWindowMs: 0,
      now: () => Date.now(),
      intervalMs: 60_000,
    });

    await sweep.sweep();
    expect((await store.getLine(sent.line.line_id))?.assignee).toBeNull();
    expect(woken).toEqual([]);

    await presence.upsert(
      { channel_id: 'ws:1', uid: alice.uid, role: 'staff', merchant_id: 'm1', device_id: 'a1', transport: 'ws' },
      60_000,
    );
    const [first, second] = [sweep.sweep(), sweep.sweep()];
    expect(second).toBe(first);
    await first;
    expect((await store.getLine(sent.line.line_id))?.assignee).toBe(alice.uid);
    expect(sweep.stats).toMatchObject({ assigned: 1, failures: 0 });
    expect(woken.some((s) => s.kind === 'inbox')).toBe(true);
    await sweep.close();
  });
});
