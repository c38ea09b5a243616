import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, migrate, schemaVersion } from '../../src-server/store/sqlite/migrations';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
});
afterEach(() => db.close());

const tables = (): string[] =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
  ).map((r) => r.name);

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('001 creates the directory, lines, messages and inbox with their unique indexes', () => {
    expect(migrate(db, 1)).toBe(1);
    expect(tables()).toEqual(
      expect.arrayContaining(['meta', 'merchants', 'users', 'objects', 'lines', 'messages', 'inbox_heads', 'inbox']),
    );
    db.prepare("INSERT INTO merchants VALUES ('m', 'M', 0)").run();
    db.prepare("INSERT INTO objects VALUES ('o', 'room', 'Room', 'm')").run();
    db.prepare(
      "INSERT INTO users (uid, account, password_hash, role, display_name, created_at) VALUES (1, 'c', 'h', 'customer', 'C', 0)",
    ).run();
    // A customer with a merchant, or staff without one, is refused by the schema itself.
    expect(() =>
      db
        .prepare(
          "INSERT INTO users (account, password_hash, role, display_name, merchant_id, created_at) VALUES ('x', 'h', 'customer', 'X', 'm', 0)",
        )
        .run(),
    ).toThrow();
    const line =
      "INSERT INTO lines (uid, object_id, busi_type, merchant_id, created_at) VALUES (1, 'o', 'consult', 'm', 0)";
    db.prepare(line).run();
    expect(() => db.prepare(line).run()).toThrow(/UNIQUE/);
    const msg =
      "INSERT INTO messages (line_id, sender, sender_role, device_id, random_id, content, ts) VALUES (1, 1, 'customer', 'd', 'r1', '{}', 0)";
    db.prepare(msg).run();
    expect(() => db.prepare(msg).run()).toThrow(/UNIQUE/);
    // Server-made messages carry no random_id and never collide.
    db.prepare(
      "INSERT INTO messages (line_id, sender, sender_role, device_id, random_id, content, ts) VALUES (1, 1, 'customer', 'd', NULL, '{}', 0)",
    ).run();
    db.prepare(
      "INSERT INTO messages (line_id, sender, sender_role, device_id, random_id, content, ts) VALUES (1, 1, 'customer', 'd', NULL, '{}', 0)",
    ).run();
  });

  it('002 adds quick replies and keeps existing data', () => {
    migrate(db, 1);
    db.prepare("INSERT INTO merchants VALUES ('m', 'M', 0)").run();
    db.prepare(
      "INSERT INTO users (uid, account, password_hash, role, display_name, merchant_id, created_at) VALUES (7, 's', 'h', 'staff', 'S', 'm', 0)",
    ).run();
    expect(tables()).not.toContain('quick_replies');
    expect(migrate(db, 2)).toBe(2);
    expect(tables()).toContain('quick_replies');
    expect(db.prepare('SELECT account FROM users WHERE uid = 7').get()).toEqual({ account: 's' });
    db.prepare(
      "INSERT INTO quick_replies (owner, title, text, updated_at) VALUES (7, 'Hi', 'Hello {customer_name}', 0)",
    ).run();
    expect(() =>
      db.prepare("INSERT INTO quick_replies (owner, title, text, updated_at) VALUES (99, 'x', 'y', 0)").run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('003 turns the inbox into a rowid table, keeping every event and the one-event-per-seq rule', () => {
    migrate(db, 2);
    const insert = db.prepare('INSERT INTO inbox (uid, seq, event, created_at) VALUES (?, ?, ?, 0)');
    for (const [uid, seq] of [
      [2, 1],
      [1, 1],
      [1, 2],
      [2, 2],
    ] as const)
      insert.run(uid, seq, JSON.stringify({ uid, seq }));
    const schema = (): string =>
      (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'inbox'").get() as { sql: string }).sql;
    expect(schema()).toMatch(/WITHOUT ROWID/);
    expect(migrate(db, 3)).toBe(3);
    expect(schema()).not.toMatch(/WITHOUT ROWID/);
    expect(db.prepare('SELECT uid, seq, event FROM inbox WHERE uid = 1 ORDER BY seq').all()).toEqual([
      { uid: 1, seq: 1, event: '{"uid":1,"seq":1}' },
      { uid: 1, seq: 2, event: '{"uid":1,"seq":2}' },
    ]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM inbox').get() as { n: number }).n).toBe(4);
    expect(() => db.prepare("INSERT INTO inbox (uid, seq, event, created_at) VALUES (1, 2, 'x', 0)").run()).toThrow(
      /UNIQUE/,
    );
    // Reads by (uid, seq) go through the key, not a scan.
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT event FROM inbox WHERE uid = 1 AND seq > 0 ORDER BY seq').all();
    expect(JSON.stringify(plan)).toMatch(/USING INDEX/);
  });

  it('004 adds waiting_announced (false for existing lines) and an index of the waits not announced yet', () => {
    migrate(db, 3);
    db.prepare("INSERT INTO merchants VALUES ('m', 'M', 0)").run();
    db.prepare("INSERT INTO objects VALUES ('o', 'room', 'Room', 'm')").run();
    db.prepare(
      "INSERT INTO users (uid, account, password_hash, role, display_name, created_at) VALUES (1, 'c', 'h', 'customer', 'C', 0)",
    ).run();
    db.prepare(
      "INSERT INTO users (uid, account, password_hash, role, display_name, merchant_id, created_at) VALUES (2, 's', 'h', 'staff', 'S', 'm', 0)",
    ).run();
    db.prepare(
      "INSERT INTO lines (line_id, uid, object_id, busi_type, merchant_id, assignee, created_at, waiting_since) VALUES (5, 1, 'o', 'consult', 'm', 2, 0, 100)",
    ).run();
    expect(migrate(db, 4)).toBe(4);
    expect(db.prepare('SELECT line_id, waiting_since, waiting_announced FROM lines').all()).toEqual([
      { line_id: 5, waiting_since: 100, waiting_announced: 0 },
    ]);
    expect(() => db.prepare('UPDATE lines SET waiting_announced = NULL').run()).toThrow(/NOT NULL/);
    // The announcement's query goes through the partial index, not a scan of every line.
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT line_id FROM lines l WHERE l.waiting_since <= 200 AND l.waiting_announced = 0
           AND l.assignee IS NOT NULL AND l.status != 'resolved' ORDER BY l.waiting_since, l.line_id LIMIT 10`,
      )
      .all();
    expect(JSON.stringify(plan)).toMatch(/lines_unannounced_waits/);
  });

  it('is idempotent and refuses a database newer than the code', () => {
    migrate(db);
    migrate(db);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer/);
  });
});
