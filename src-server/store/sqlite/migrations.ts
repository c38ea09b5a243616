import type Database from 'better-sqlite3';

/**
 * Numbered, append-only schema migrations. Never edit a released entry: add the next number.
 * The applied version lives in SQLite's `user_version`; each migration runs in its own transaction.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'directory, lines, messages, inbox',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE merchants (
        merchant_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE users (
        uid INTEGER PRIMARY KEY,
        account TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('customer', 'staff')),
        display_name TEXT NOT NULL,
        merchant_id TEXT REFERENCES merchants (merchant_id),
        capacity INTEGER NOT NULL DEFAULT 10,
        disabled INTEGER NOT NULL DEFAULT 0,
        last_assigned_at INTEGER,
        created_at INTEGER NOT NULL,
        CHECK ((role = 'staff') = (merchant_id IS NOT NULL))
      );
      CREATE INDEX users_merchant ON users (merchant_id, role);
      -- The catalogue: what a line can be about, and which merchant answers for it.
      CREATE TABLE objects (
        object_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id)
      );
      CREATE TABLE lines (
        line_id INTEGER PRIMARY KEY,
        uid INTEGER NOT NULL REFERENCES users (uid),
        object_id TEXT NOT NULL REFERENCES objects (object_id),
        busi_type TEXT NOT NULL,
        merchant_id TEXT NOT NULL REFERENCES merchants (merchant_id),
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved')),
        assignee INTEGER REFERENCES users (uid),
        created_at INTEGER NOT NULL,
        last_message_at INTEGER,
        waiting_since INTEGER,
        customer_read_message_id INTEGER,
        staff_read_message_id INTEGER
      );
      -- Seed 3.4: a conversation line is (uid, object_id, busi_type); racing first messages upsert into one row.
      CREATE UNIQUE INDEX lines_identity ON lines (uid, object_id, busi_type);
      CREATE INDEX lines_merchant_activity ON lines (merchant_id, last_message_at);
      CREATE INDEX lines_assignee_status ON lines (assignee, status);
      CREATE TABLE messages (
        message_id INTEGER PRIMARY KEY,
        line_id INTEGER NOT NULL REFERENCES lines (line_id),
        sender INTEGER NOT NULL REFERENCES users (uid),
        sender_role TEXT NOT NULL,
        device_id TEXT NOT NULL,
        random_id TEXT,
        content TEXT NOT NULL,
        ts INTEGER NOT NULL,
        sender_seq INTEGER
      );
      -- Seed 3.1: idempotent send. Messages are never deleted, so a retry is recognised forever.
      CREATE UNIQUE INDEX messages_idempotency ON messages (sender, device_id, random_id) WHERE random_id IS NOT NULL;
      CREATE INDEX messages_line ON messages (line_id, message_id);
      CREATE TABLE inbox_heads (
        uid INTEGER PRIMARY KEY REFERENCES users (uid),
        epoch TEXT NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE inbox (
        uid INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (uid, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'quick replies',
    sql: `
      CREATE TABLE quick_replies (
        id INTEGER PRIMARY KEY,
        owner INTEGER NOT NULL REFERENCES users (uid),
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX quick_replies_owner ON quick_replies (owner);
    `,
  },
  {
    version: 3,
    name: 'inbox as a rowid table',
    // Events are ~0.5 KiB. In a WITHOUT ROWID table every interior cell holds a whole row, so a page
    // fits ~7 events and appends split pages all the time; a rowid table keeps the rows in append
    // order and a slim (uid, seq) index, which roughly halves the pages a send writes.
    sql: `
      CREATE TABLE inbox_rows (
        uid INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (uid, seq)
      );
      INSERT INTO inbox_rows (uid, seq, event, created_at) SELECT uid, seq, event, created_at FROM inbox ORDER BY uid, seq;
      DROP TABLE inbox;
      ALTER TABLE inbox_rows RENAME TO inbox;
    `,
  },
  {
    version: 4,
    name: 'announced waits',
    // Whether colleagues of the assignee were shown the customer's current wait (domain/waits.ts).
    // The partial index holds only waits not announced yet on assigned open lines: the periodic
    // announcement reads the oldest of them without scanning every line.
    sql: `
      ALTER TABLE lines ADD COLUMN waiting_announced INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX lines_unannounced_waits ON lines (waiting_since)
        WHERE waiting_since IS NOT NULL AND waiting_announced = 0 AND assignee IS NOT NULL AND status != 'resolved';
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Apply every migration above the current version, up to `target` (default: the newest). */
export function migrate(db: Database.Database, target: number = LATEST_VERSION): number {
  let current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new Error(`database schema version ${current} is newer than this server (${LATEST_VERSION})`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    current = m.version;
  }
  return current;
}
