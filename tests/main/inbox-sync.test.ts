import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cursor, InboxEvent, RequestBody, RequestResult, RequestType } from '../../src-shared/protocol';
import type { Connection } from '../../src-main/channel/connection';
import { silentLogger } from '../../src-main/ports/logger';
import { ClientStore } from '../../src-main/store/client-store';
import { openDatabase } from '../../src-main/store/database';
import { InboxSync } from '../../src-main/sync/inbox-sync';
import { ME, message, messageEvent } from './fixtures';
import { tempDir, waitFor } from './helpers';

/** A server-side inbox answering `sync` by the protocol's rules, with a page size. */
class FakeInbox implements Connection {
  readonly transport = 'ws' as const;
  readonly openedAt = 0;
  events: InboxEvent[] = [];
  syncCalls: (Cursor | null)[] = [];
  constructor(
    public epoch: string,
    private readonly pageSize: number,
  ) {}
  add(n: number): InboxEvent[] {
    const added: InboxEvent[] = [];
    for (let i = 0; i < n; i++) {
      const seq = this.events.length + 1;
      const e = messageEvent(seq, message(seq * 10, 'L1'));
      this.events.push(e);
      added.push(e);
    }
    return added;
  }
  request<T extends RequestType>(type: T, body: RequestBody<T>): Promise<RequestResult<T>> {
    if (type !== 'sync') throw new Error(`unexpected ${type}`);
    const cursor = (body as RequestBody<'sync'>).cursor;
    this.syncCalls.push(cursor);
    const reset = cursor === null || cursor.epoch !== this.epoch;
    const after = reset ? 0 : cursor.seq;
    const page = this.events.filter((e) => e.seq > after).slice(0, this.pageSize);
    const last = page[page.length - 1]?.seq ?? after;
    const result: RequestResult<'sync'> = {
      outcome: reset ? 'reset' : 'recovered',
      epoch: this.epoch,
      events: page,
      next: { epoch: this.epoch, seq: last },
      more: this.events.some((e) => e.seq > last),
    };
    return Promise.resolve(result as RequestResult<T>);
  }
  checkAlive(): void {}
  close(): void {}
}

describe('InboxSync', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  function setup(pageSize = 4) {
    const t = tempDir();
    const path = join(t.dir, 'm.db');
    const store = new ClientStore(openDatabase(path, { busyTimeoutMs: 100 }), ME, path);
    cleanups.push(() => {
      store.close();
      t.cleanup();
    });
    const published: string[] = [];
    const storeErrors: unknown[] = [];
    const dropped = { count: 0 };
    const sync = new InboxSync({
      store,
      pageSize,
      onChanges: (c) => published.push(...c.newMessages.map((m) => m.message_id!)),
      onStoreError: (e) => storeErrors.push(e),
      onReset: () => dropped.count++,
      log: silentLogger,
    });
    return { store, sync, published, storeErrors, dropped };
  }

  it('resumes page by page from the cursor, advancing it only with committed pages', async () => {
    const { store, sync, published } = setup(4);
    const inbox = new FakeInbox('e1', 4);
    inbox.add(10);
    sync.attach(inbox);
    // attach() already started the resume; this call joins it and asks for one more look.
    await sync.catchUp();
    expect(inbox.syncCalls).toEqual([null, { epoch: 'e1', seq: 4 }, { epoch: 'e1', seq: 8 }, { epoch: 'e1', seq: 10 }]);
    expect(store.cursor()).toEqual({ epoch: 'e1', seq: 10 });
    expect(published).toHaveLength(10);
  });

  it('duplicate and overlapping pushes are stored and published once', async () => {
    const { store, sync, published } = setup();
    const inbox = new FakeInbox('e1', 100);
    inbox.add(3);
    sync.attach(inbox);
    await sync.catchUp();
    const more = inbox.add(3);
    sync.onInboxPush({ epoch: 'e1', events: more });
    sync.onInboxPush({ epoch: 'e1', events: more });
    sync.onInboxPush({ epoch: 'e1', events: [...inbox.events.slice(1, 4), ...more] });
    await sync.catchUp();
    expect(published).toEqual(['10', '20', '30', '40', '50', '60']);
    expect(store.allMessages('L1')).toHaveLength(6);
    expect(sync.counters().gaps).toBe(0);
  });

  it('a gap seen while connected triggers a targeted catch-up from the cursor, not a reconnect', async () => {
    const { store, sync } = setup();
    const inbox = new FakeInbox('e1', 100);
    inbox.add(2);
    sync.attach(inbox);
    await sync.catchUp();
    const calls = inbox.syncCalls.length;
    const [e3, e4, e5] = inbox.add(3);
    // The push for seq 3 was lost; 4 and 5 arrive.
    sync.onInboxPush({ epoch: 'e1', events: [e4!, e5!] });
    void e3;
    await waitFor(() => store.cursor()?.seq === 5, 2_000, 'catch-up');
    expect(inbox.syncCalls.slice(calls)).toEqual([{ epoch: 'e1', seq: 2 }]);
    expect(sync.counters().gaps).toBe(1);
    expect(store.allMessages('L1').map((m) => m.message_id)).toEqual(['10', '20', '30', '40', '50']);
  });

  it('an epoch change (history reset on the server) triggers a full resync, and asks for the lines again', async () => {
    const { store, sync, dropped } = setup();
    const inbox = new FakeInbox('e1', 100);
    inbox.add(3);
    sync.attach(inbox);
    await sync.catchUp();
    // The server lost its history: new epoch, seqs from 1 again.
    inbox.epoch = 'e2';
    inbox.events = [];
    inbox.add(2);
    sync.onInboxPush({ epoch: 'e2', events: inbox.events.slice(1) });
    await waitFor(() => store.cursor()?.epoch === 'e2' && store.cursor()?.seq === 2, 2_000, 'resync');
    expect(sync.counters().resets).toBe(2);
    expect(store.allMessages('L1').map((m) => m.message_id)).toEqual(['10', '20']);
    // The first sync of a device starts from nothing, so only the second reset dropped anything.
    expect(dropped.count).toBe(1);
  });

  it('a failing store stops the sync and reports upward, leaving the cursor where it was', async () => {
    const { store, sync, storeErrors } = setup();
    const inbox = new FakeInbox('e1', 100);
    inbox.add(2);
    sync.attach(inbox);
    await sync.catchUp();
    store.db.pragma('query_only = ON');
    inbox.add(2);
    await sync.catchUp();
    expect(storeErrors).toHaveLength(1);
    expect((storeErrors[0] as { code: string }).code).toBe('STORE_FAILED');
    store.db.pragma('query_only = OFF');
    expect(store.cursor()).toEqual({ epoch: 'e1', seq: 2 });
  });
});
