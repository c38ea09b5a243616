import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientStore } from '../../src-main/store/client-store';
import { openDatabase } from '../../src-main/store/database';
import { ME, line, message, messageEvent } from './fixtures';
import { tempDir } from './helpers';

/**
 * A colleague's line (assigned to someone else) reaches this inbox only as `line` events: the server
 * announces a long wait and its end that way (protocol §9). Each such event must replace the stored
 * snapshot — waiting_since and last_message_at — and move the line in the list, without inventing
 * unread messages.
 */
describe('ClientStore: line events on a colleague’s line', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  function open(): ClientStore {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'messages.db');
    const store = new ClientStore(openDatabase(path, { busyTimeoutMs: 100 }), ME, path);
    cleanups.push(() => store.db.open && store.close());
    return store;
  }

  it('an announced wait and its end update the snapshot and the list order', () => {
    const store = open();
    const bobs = line('L1', { assignee: 'bob', assignee_name: 'Bob', last_message_at: 2_000, waiting_since: null });
    store.applyInbox(
      'e1',
      [
        { kind: 'line', seq: 1, line: bobs },
        // One of my own lines, active more recently.
        messageEvent(2, message(7, 'L2', { ts: 3_000 })),
      ],
      { reset: true },
    );
    expect(store.lines().map((l) => l.line_id)).toEqual(['L2', 'L1']);

    const waiting = store.applyInbox('e1', [
      { kind: 'line', seq: 3, line: { ...bobs, last_message_at: 9_100, waiting_since: 9_000 } },
    ]);
    expect([...waiting.changes.lines]).toEqual(['L1']);
    expect(store.line('L1')).toMatchObject({
      assignee: 'bob',
      waiting_since: 9_000,
      last_message_at: 9_100,
      unread: 0,
    });
    expect(store.lines().map((l) => l.line_id)).toEqual(['L1', 'L2']);

    store.applyInbox('e1', [{ kind: 'line', seq: 4, line: { ...bobs, last_message_at: 9_500, waiting_since: null } }]);
    expect(store.line('L1')).toMatchObject({
      waiting_since: null,
      last_message_at: 9_500,
      unread: 0,
      last_message: null,
    });
    expect(store.lines().map((l) => l.line_id)).toEqual(['L1', 'L2']);
    expect(store.allMessages('L1')).toEqual([]);
  });
});
