import type { Database } from 'better-sqlite3';
import { StoreError } from './errors';

/**
 * Numbered, append-only migrations of the account database. Each runs in its own transaction
 * and sets `user_version` to its number; each has a before/after test (tests/main/store-migrations).
 * Never edit a shipped migration: add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'lines, messages, outbox, sync cursor, mutes',
    up: (db) =>
      db.exec(`
        CREATE TABLE lines (
          line_id        TEXT PRIMARY KEY,
          data           TEXT NOT NULL,              -- latest wire Line snapshot (JSON)
          busi_type      TEXT NOT NULL,
          status         TEXT NOT NULL,
          assignee       TEXT,
          activity       INTEGER NOT NULL,           -- last_message_at ?? created_at: list order
          unread         INTEGER NOT NULL DEFAULT 0,
          read_ord       INTEGER,                    -- my read pointer (numeric message id)
          peer_read_ord  INTEGER                     -- the other side's read pointer
        );
        CREATE INDEX lines_by_activity ON lines(activity DESC, line_id);

        CREATE TABLE messages (
          id           INTEGER PRIMARY KEY,          -- local row id
          message_id   TEXT UNIQUE,                  -- server id; NULL while only local
          ord          INTEGER NOT NULL,             -- numeric server id, or LOCAL_ORD while unsent
          line_id      TEXT NOT NULL,
          sender       TEXT NOT NULL,
          sender_role  TEXT NOT NULL,
          random_id    TEXT,
          content      TEXT NOT NULL,                -- JSON
          ts           INTEGER NOT NULL,
          state        TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
          error        TEXT,                         -- JSON error shape when failed
          search_text  TEXT NOT NULL DEFAULT '',
          UNIQUE (sender, random_id)
        );
        CREATE INDEX messages_by_line ON messages(line_id, ord, id);

        CREATE TABLE outbox (
          random_id   TEXT PRIMARY KEY,
          position    INTEGER NOT NULL UNIQUE,       -- send order
          line_id     TEXT NOT NULL,
          body        TEXT NOT NULL,                 -- the send request body (JSON)
          created_at  INTEGER NOT NULL,
          attempts    INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE sync_cursor (
          id     INTEGER PRIMARY KEY CHECK (id = 1),
          epoch  TEXT NOT NULL,
          seq    INTEGER NOT NULL
        );

        CREATE TABLE line_mutes (line_id TEXT PRIMARY KEY, muted_at INTEGER NOT NULL);
      `),
  },
  {
    version: 2,
    name: 'full-text search (FTS5 trigram: works for Chinese, which has no spaces between words)',
    up: (db) =>
      db.exec(`
        CREATE VIRTUAL TABLE messages_fts USING fts5(
          search_text, content = 'messages', content_rowid = 'id', tokenize = 'trigram'
        );
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
          INSERT INTO messages_fts(rowid, search_text) VALUES (new.id, new.search_text);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
          INSERT INTO messages_fts(messages_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF search_text ON messages BEGIN
          INSERT INTO messages_fts(messages_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
          INSERT INTO messages_fts(rowid, search_text) VALUES (new.id, new.search_text);
        END;
        INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
      `),
  },
  {
    version: 3,
    name: 'read receipts made offline, kept until the server has them',
    up: (db) =>
      db.exec(`
        CREATE TABLE pending_reads (
          line_id     TEXT PRIMARY KEY,              -- one receipt per line: the newest read wins
          message_id  TEXT NOT NULL,                 -- read up to this server message
          ord         INTEGER NOT NULL,              -- its numeric id, so an older read never replaces a newer one
          marked_at   INTEGER NOT NULL
        );
      `),
  },
  {
    version: 4,
    name: "each line's known-complete history window, so history.load can answer from the store",
    up: (db) =>
      db.exec(`
        -- NULL: unknown (holes possible); 0: every message since the line began is stored;
        -- n: every server message of the line with ord >= n is stored.
        ALTER TABLE lines ADD COLUMN history_from_ord INTEGER;
      `),
  },
  {
    version: 5,
    name: 'the store indexes new messages for search once per transaction instead of a trigger per row',
    // An FTS5 insert per row from a trigger costs ~45 % of ingest; one INSERT … SELECT of the
    // transaction's new rows at its end does the same work in bulk (ClientStore.writing). The
    // update and delete triggers stay: those writes are rare and touch rows indexed already.
    up: (db) => db.exec(`DROP TRIGGER messages_fts_insert;`),
  },
  {
    version: 6,
    name: 'images waiting in the outbox keep their bytes until the server has them',
    up: (db) =>
      db.exec(`
        -- A row exists from the moment an image is sent until its upload succeeded (the outbox entry
        -- then names the server's copy), so an image sent offline survives a restart like text.
        CREATE TABLE outbox_uploads (
          random_id  TEXT PRIMARY KEY,
          mime       TEXT NOT NULL,
          bytes      BLOB NOT NULL
        );
      `),
  },
  {
    version: 7,
    name: 'unsent composer text per line',
    up: (db) =>
      db.exec(`
        CREATE TABLE drafts (
          line_id     TEXT PRIMARY KEY,
          text        TEXT NOT NULL,
          updated_at  INTEGER NOT NULL
        );
      `),
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Bring the database up to `target` (default: latest). Refuses a database from a newer app. */
export function migrate(db: Database, target: number = LATEST_VERSION): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_VERSION) {
    throw new StoreError(
      'STORE_TOO_NEW',
      `database schema ${current} is newer than this app understands (${LATEST_VERSION})`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
