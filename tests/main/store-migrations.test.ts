import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src-main/store/migrations';
import { StoreError } from '../../src-main/store/errors';

/** Each migration: a database just before it, with data; run it; check the data after. */
describe('account database migrations', () => {
  const dbs: Database.Database[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
  });
  const fresh = (): Database.Database => {
    const db = new Database(':memory:');
    dbs.push(db);
    return db;
  };
  const tables = (db: Database.Database): string[] =>
    (
      db
        .prepare(
          `SELECT name FROM sqlite_master WHERE type IN ('table') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts_%' ORDER BY name`,
        )
        .all() as { name: string }[]
    ).map((r) => r.name);

  it('numbers are 1..n with no gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('1: creates the schema; de-duplication constraints hold', () => {
    const db = fresh();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(migrate(db, 1)).toBe(1);
    expect(tables(db)).toEqual(['line_mutes', 'lines', 'messages', 'outbox', 'sync_cursor']);
    const insert = db.prepare(
      `INSERT INTO messages (message_id, ord, line_id, sender, sender_role, random_id, content, ts, state) VALUES (?, ?, 'L', ?, 'staff', ?, '{}', 1, 'sent')`,
    );
    insert.run('1', 1, 'u1', 'r1');
    expect(() => insert.run('1', 1, 'u2', 'r2')).toThrow(/UNIQUE/);
    expect(() => insert.run('2', 2, 'u1', 'r1')).toThrow(/UNIQUE/);
    // Local echoes have no server id yet: many NULLs are fine.
    insert.run(null, 9, 'u1', 'r3');
    insert.run(null, 9, 'u1', 'r4');
    expect(() => db.prepare(`INSERT INTO sync_cursor (id, epoch, seq) VALUES (2, 'e', 1)`).run()).toThrow(/CHECK/);
  });

  it('2: indexes messages already stored before it, then follows inserts, updates and deletes', () => {
    const db = fresh();
    migrate(db, 1);
    db.prepare(
      `INSERT INTO messages (message_id, ord, line_id, sender, sender_role, content, ts, state, search_text) VALUES ('1', 1, 'L', 'u', 'customer', '{}', 1, 'sent', '请问湖景房还有吗')`,
    ).run();
    expect(migrate(db, 2)).toBe(2);
    const match = (q: string): number =>
      (db.prepare(`SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH ?`).get(q) as { n: number }).n;
    expect(match('"湖景房"')).toBe(1);
    db.prepare(
      `INSERT INTO messages (message_id, ord, line_id, sender, sender_role, content, ts, state, search_text) VALUES ('2', 2, 'L', 'u', 'customer', '{}', 2, 'sent', 'free breakfast')`,
    ).run();
    expect(match('"breakfast"')).toBe(1);
    db.prepare(`UPDATE messages SET search_text = 'late checkout' WHERE message_id = '2'`).run();
    expect(match('"breakfast"')).toBe(0);
    expect(match('"checkout"')).toBe(1);
    db.prepare(`DELETE FROM messages WHERE message_id = '1'`).run();
    expect(match('"湖景房"')).toBe(0);
  });

  it('3: adds pending read receipts beside the data already stored', () => {
    const db = fresh();
    migrate(db, 2);
    db.prepare(
      `INSERT INTO lines (line_id, data, busi_type, status, assignee, activity, unread) VALUES ('L', '{}', 'consult', 'open', NULL, 1, 2)`,
    ).run();
    db.prepare(
      `INSERT INTO messages (message_id, ord, line_id, sender, sender_role, content, ts, state, search_text) VALUES ('7', 7, 'L', 'u', 'customer', '{}', 1, 'sent', 'hi')`,
    ).run();
    expect(migrate(db, 3)).toBe(3);
    expect(tables(db)).toContain('pending_reads');
    expect(db.prepare(`SELECT COUNT(*) AS n FROM pending_reads`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT unread FROM lines WHERE line_id = 'L'`).get()).toEqual({ unread: 2 });
    expect(db.prepare(`SELECT message_id FROM messages`).all()).toEqual([{ message_id: '7' }]);
    const put = db.prepare(`INSERT INTO pending_reads (line_id, message_id, ord, marked_at) VALUES ('L', ?, ?, 1)`);
    put.run('7', 7);
    expect(() => put.run('8', 8)).toThrow(/UNIQUE/);
  });

  it('4: every existing line starts with an unknown history window', () => {
    const db = fresh();
    migrate(db, 3);
    db.prepare(
      `INSERT INTO lines (line_id, data, busi_type, status, assignee, activity) VALUES ('L', '{}', 'consult', 'open', 's1', 1)`,
    ).run();
    expect(migrate(db, 4)).toBe(4);
    expect(db.prepare(`SELECT line_id, history_from_ord FROM lines`).all()).toEqual([
      { line_id: 'L', history_from_ord: null },
    ]);
    db.prepare(`UPDATE lines SET history_from_ord = 0`).run();
    expect(db.prepare(`SELECT history_from_ord FROM lines`).get()).toEqual({ history_from_ord: 0 });
  });

  it('5: messages indexed before stay found; new rows are indexed by the store, not a trigger', () => {
    const db = fresh();
    migrate(db, 4);
    const insert = db.prepare(
      `INSERT INTO messages (message_id, ord, line_id, sender, sender_role, content, ts, state, search_text) VALUES (?, ?, 'L', 'u', 'customer', '{}', 1, 'sent', ?)`,
    );
    insert.run('1', 1, 'free breakfast');
    expect(migrate(db, 5)).toBe(5);
    const match = (q: string): number =>
      (db.prepare(`SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH ?`).get(q) as { n: number }).n;
    expect(match('"breakfast"')).toBe(1);
    insert.run('2', 2, 'late checkout');
    expect(match('"checkout"')).toBe(0);
    db.prepare(`INSERT INTO messages_fts (rowid, search_text) SELECT id, search_text FROM messages WHERE id > 1`).run();
    expect(match('"checkout"')).toBe(1);
    // Updates and deletes still follow through their triggers.
    db.prepare(`UPDATE messages SET search_text = 'early checkin' WHERE message_id = '2'`).run();
    expect(match('"checkout"')).toBe(0);
    db.prepare(`DELETE FROM messages WHERE message_id = '1'`).run();
    expect(match('"breakfast"')).toBe(0);
    db.prepare(`INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`).run();
  });

  it('6: adds a place for queued images beside an outbox already holding text', () => {
    const db = fresh();
    migrate(db, 5);
    db.prepare(
      `INSERT INTO outbox (random_id, position, line_id, body, created_at) VALUES ('r1', 1, 'L', '{"random_id":"r1"}', 1)`,
    ).run();
    expect(tables(db)).not.toContain('outbox_uploads');
    expect(migrate(db, 6)).toBe(6);
    db.prepare(`INSERT INTO outbox_uploads (random_id, mime, bytes) VALUES ('r2', 'image/png', ?)`).run(
      Buffer.from([1]),
    );
    expect(db.prepare(`SELECT random_id FROM outbox`).all()).toEqual([{ random_id: 'r1' }]);
    expect(() =>
      db
        .prepare(`INSERT INTO outbox_uploads (random_id, mime, bytes) VALUES ('r2', 'image/png', ?)`)
        .run(Buffer.from([2])),
    ).toThrow(/UNIQUE/);
  });

  it('7: adds unsent composer text per line, one row per line', () => {
    const db = fresh();
    migrate(db, 6);
    expect(tables(db)).not.toContain('drafts');
    expect(migrate(db, 7)).toBe(7);
    db.prepare(`INSERT INTO drafts (line_id, text, updated_at) VALUES ('L', 'hi', 1)`).run();
    expect(() => db.prepare(`INSERT INTO drafts (line_id, text, updated_at) VALUES ('L', 'again', 2)`).run()).toThrow(
      /UNIQUE/,
    );
  });

  it('is idempotent and refuses a database from a newer app without touching it', () => {
    const db = fresh();
    migrate(db);
    expect(migrate(db)).toBe(LATEST_VERSION);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(StoreError);
    try {
      migrate(db);
    } catch (err) {
      expect((err as StoreError).code).toBe('STORE_TOO_NEW');
    }
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 1);
  });
});
