import { afterEach, describe, expect, it } from 'vitest';
import { InboxRepair } from '../../src-server/cluster/inbox-repair';
import type { InboxHead } from '../../src-server/store/types';
import { waitUntil } from './support/ports';

/** A hub double: the repair only needs who listens here, a way to wake them, and health. */
class FakeHub {
  users: string[] = [];
  ok = true;
  readonly woken: InboxHead[][] = [];
  localUsers(): string[] {
    return this.users;
  }
  wakeLocal(heads: readonly InboxHead[]): void {
    this.woken.push([...heads]);
  }
  health(): { ok: boolean } {
    return { ok: this.ok };
  }
}

let repair: InboxRepair | null = null;
afterEach(async () => {
  await repair?.close();
  repair = null;
});

describe('inbox repair', () => {
  it('wakes the users a hub asks about with their current heads', async () => {
    const hub = new FakeHub();
    const asked: string[][] = [];
    repair = new InboxRepair({
      hub,
      heads: (uids) => (asked.push([...uids]), Promise.resolve(uids.map((uid) => ({ uid, seq: Number(uid) * 10 })))),
      intervalMs: 60_000,
    });
    repair.start();
    repair.request(['1', '2']);
    await waitUntil(() => hub.woken.length === 1, 1_000, 'a pass');
    expect(hub.woken[0]).toEqual([
      { uid: '1', seq: 10 },
      { uid: '2', seq: 20 },
    ]);
    hub.users = ['3', '4'];
    repair.request('all');
    await waitUntil(() => hub.woken.length === 2, 1_000, 'a pass over everyone');
    expect(asked[1]).toEqual(['3', '4']);
  });

  it('runs on its own, faster while the hub is unhealthy, and survives a failing database', async () => {
    const hub = new FakeHub();
    hub.users = ['1'];
    hub.ok = false;
    let fail = true;
    repair = new InboxRepair({
      hub,
      heads: (uids) =>
        fail ? Promise.reject(new Error('db down')) : Promise.resolve(uids.map((uid) => ({ uid, seq: 1 }))),
      intervalMs: 60_000,
      degradedIntervalMs: 50,
    });
    repair.start();
    await waitUntil(() => repair!.stats.failures >= 2, 1_000, 'failed passes');
    fail = false;
    await waitUntil(() => hub.woken.length >= 2, 1_000, 'degraded pace passes');
    expect(repair.stats.users_checked).toBeGreaterThanOrEqual(2);
  });
});
