import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  PG_LATEST_VERSION,
  PG_MIGRATIONS,
  migratePg,
  pgSchemaVersion,
} from '../../src-server/store/postgres/migrations';
import { PostgresStore } from '../../src-server/store/postgres/store';
import { PG_URL, createTestSchema, type TestSchema } from './support/pg';

let schema: TestSchema;
let pool: pg.Pool;
let client: pg.PoolClient;
beforeEach(async () => {
  schema = await createTestSchema('mig');
  pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path=${schema.name}` });
  client = await pool.connect();
});
afterEach(async () => {
  client.release();
  await pool.end();
  await schema.drop();
});

const tables = async (): Promise<string[]> =>
  (
    await client.query<{ t: string }>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema.name],
    )
  ).rows.map((r) => r.t);

describe('PostgreSQL migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(PG_MIGRATIONS.map((m) => m.version)).toEqual(PG_MIGRATIONS.map((_m, i) => i + 1));
    expect(PG_LATEST_VERSION).toBe(PG_MIGRATIONS.length);
  });

  it('001 creates the directory, lines, messages and inbox with their unique indexes', async () => {
    expect(await migratePg(client, 1)).toBe(1);
    expect(await tables()).toEqual(
      expect.arrayContaining([
        'meta',
        'merchants',
        'users',
        'objects',
        'lines',
        'messages',
        'inbox_heads',
        'inbox',
        'schema_migrations',
      ]),
    );
    await client.query("INSERT INTO merchants VALUES ('m', 'M', 0)");
    await client.query("INSERT INTO objects VALUES ('o', 'room', 'Room', 'm')");
    await client.query(
      "INSERT INTO users (uid, account, password_hash, role, display_name, created_at) VALUES (1, 'c', 'h', 'customer', 'C', 0)",
    );
    // A customer with a merchant is refused by the schema itself.
    await expect(
      client.query(
        "INSERT INTO users (account, password_hash, role, display_name, merchant_id, created_at) VALUES ('x', 'h', 'customer', 'X', 'm', 0)",
      ),
    ).rejects.toMatchObject({ code: '23514' });
    const line =
      "INSERT INTO lines (uid, object_id, busi_type, merchant_id, created_at) VALUES (1, 'o', 'consult', 'm', 0)";
    await client.query(line);
    await expect(client.query(line)).rejects.toMatchObject({ code: '23505', constraint: 'lines_identity' });
    const msg =
      "INSERT INTO messages (line_id, sender, sender_role, device_id, random_id, content, ts) VALUES (1, 1, 'customer', 'd', 'r1', '{}', 0)";
    await client.query(msg);
    await expect(client.query(msg)).rejects.toMatchObject({ code: '23505', constraint: 'messages_idempotency' });
    // Server-made messages carry no random_id and never collide.
    const notice =
      "INSERT INTO messages (line_id, sender, sender_role, device_id, random_id, content, ts) VALUES (1, 1, 'customer', 'd', NULL, '{}', 0)";
    await client.query(notice);
    await client.query(notice);
    await client.query("INSERT INTO inbox VALUES (1, 1, '{}', 0)");
    await expect(client.query("INSERT INTO inbox VALUES (1, 1, '{}', 0)")).rejects.toMatchObject({ code: '23505' });
  });

  it('002 adds quick replies and keeps existing data', async () => {
    await migratePg(client, 1);
    await client.query("INSERT INTO merchants VALUES ('m', 'M', 0)");
    await client.query(
      "INSERT INTO users (uid, account, password_hash, role, display_name, merchant_id, created_at) VALUES (7, 's', 'h', 'staff', 'S', 'm', 0)",
    );
    expect(await tables()).not.toContain('quick_replies');
    expect(await migratePg(client, 2)).toBe(2);
    expect(await tables()).toContain('quick_replies');
    expect((await client.query('SELECT account FROM users WHERE uid = 7')).rows).toEqual([{ account: 's' }]);
    await client.query(
      "INSERT INTO quick_replies (owner, title, text, updated_at) VALUES (7, 'Hi', 'Hello {customer_name}', 0)",
    );
    await expect(
      client.query("INSERT INTO quick_replies (owner, title, text, updated_at) VALUES (99, 'x', 'y', 0)"),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('003 adds media, one row per content name, and keeps existing data', async () => {
    await migratePg(client, 2);
    await client.query("INSERT INTO merchants VALUES ('m', 'M', 0)");
    expect(await tables()).not.toContain('media');
    expect(await migratePg(client, 3)).toBe(3);
    expect(await tables()).toContain('media');
    expect((await client.query('SELECT name FROM merchants')).rows).toEqual([{ name: 'M' }]);
    const put = "INSERT INTO media (name, bytes, size, created_at) VALUES ('a.png', '\\x0102'::bytea, 2, 0)";
    await client.query(put);
    await expect(client.query(put)).rejects.toMatchObject({ code: '23505' });
    await expect(
      client.query("INSERT INTO media (name, size, created_at) VALUES ('b.png', 0, 0)"),
    ).rejects.toMatchObject({ code: '23502' });
  });

  it('004 adds waiting_announced (false for existing lines) and an index of the waits not announced yet', async () => {
    await migratePg(client, 3);
    await client.query("INSERT INTO merchants VALUES ('m', 'M', 0)");
    await client.query("INSERT INTO objects VALUES ('o', 'room', 'Room', 'm')");
    await client.query(
      "INSERT INTO users (uid, account, password_hash, role, display_name, created_at) VALUES (1, 'c', 'h', 'customer', 'C', 0)",
    );
    await client.query(
      "INSERT INTO users (uid, account, password_hash, role, display_name, merchant_id, created_at) VALUES (2, 's', 'h', 'staff', 'S', 'm', 0)",
    );
    await client.query(
      "INSERT INTO lines (line_id, uid, object_id, busi_type, merchant_id, assignee, created_at, waiting_since) VALUES (5, 1, 'o', 'consult', 'm', 2, 0, 100)",
    );
    expect(await migratePg(client, 4)).toBe(4);
    expect((await client.query('SELECT line_id, waiting_since, waiting_announced FROM lines')).rows).toEqual([
      { line_id: '5', waiting_since: '100', waiting_announced: false },
    ]);
    await expect(client.query('UPDATE lines SET waiting_announced = NULL')).rejects.toMatchObject({ code: '23502' });
    // The announcement's query can go through the partial index instead of a scan of every line.
    await client.query('SET enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT line_id FROM lines l WHERE l.waiting_since <= 200 AND NOT l.waiting_announced
         AND l.assignee IS NOT NULL AND l.status <> 'resolved' ORDER BY l.waiting_since, l.line_id LIMIT 10 FOR UPDATE OF l SKIP LOCKED`,
    );
    await client.query('RESET enable_seqscan');
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/lines_unannounced_waits/);
  });

  it('004 builds its index concurrently, replacing one that an interrupted build left invalid', async () => {
    await migratePg(client, 3);
    await client.query("INSERT INTO merchants VALUES ('m', 'M', 0)");
    await client.query("INSERT INTO objects VALUES ('o', 'room', 'Room', 'm')");
    await client.query(
      "INSERT INTO users (uid, account, password_hash, role, display_name, created_at) VALUES (1, 'c', 'h', 'customer', 'C', 0), (3, 'd', 'h', 'customer', 'D', 0)",
    );
    await client.query(
      "INSERT INTO lines (line_id, uid, object_id, busi_type, merchant_id, created_at) VALUES (5, 1, 'o', 'consult', 'm', 0), (6, 3, 'o', 'consult', 'm', 0)",
    );
    // A concurrent build that fails half-way leaves an INVALID index under the name the migration uses.
    await expect(
      client.query('CREATE UNIQUE INDEX CONCURRENTLY lines_unannounced_waits ON lines (merchant_id)'),
    ).rejects.toMatchObject({ code: '23505' });
    const index = async () =>
      (
        await client.query<{ valid: boolean; def: string }>(
          `SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
             JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relname = 'lines_unannounced_waits' AND c.relnamespace = current_schema()::regnamespace`,
        )
      ).rows;
    expect((await index()).map((r) => r.valid)).toEqual([false]);

    expect(await migratePg(client, 4)).toBe(4);
    const [built] = await index();
    expect(built?.valid).toBe(true);
    expect(built?.def).toMatch(/\(waiting_since\) WHERE/);
    expect(await pgSchemaVersion(client)).toBe(4);
  });

  it('is idempotent and refuses a database newer than the code', async () => {
    await migratePg(client);
    await migratePg(client);
    expect(await pgSchemaVersion(client)).toBe(PG_LATEST_VERSION);
    await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')", [
      PG_LATEST_VERSION + 1,
    ]);
    await expect(migratePg(client)).rejects.toThrow(/newer/);
    // The lock is released even when migrating fails, so another node is not stuck behind it.
    const { rows } = await client.query(
      "SELECT COUNT(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
    );
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('a failing migration leaves the previous version in place', async () => {
    await migratePg(client, 1);
    await client.query('CREATE TABLE quick_replies (x int)');
    await expect(migratePg(client)).rejects.toMatchObject({ code: '42P07' });
    expect(await pgSchemaVersion(client)).toBe(1);
  });
});

describe('PostgreSQL store start-up', () => {
  it('nodes that start together on a schema that does not exist yet create it once and migrate it once', async () => {
    const name = `${schema.name}_fresh`;
    const url = new URL(PG_URL);
    url.searchParams.set('schema', name);
    const stores = [0, 1, 2].map(() => new PostgresStore({ url: url.toString(), poolSize: 1 }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const { rows } = await client.query(`SELECT COUNT(*)::int AS n FROM ${name}.schema_migrations`);
      expect(rows[0]).toEqual({ n: PG_LATEST_VERSION });
      // Built concurrently while the other nodes waited for the lock, and valid.
      const indexes = await client.query(
        `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname = 'lines_unannounced_waits' AND c.relnamespace = $1::regnamespace`,
        [name],
      );
      expect(indexes.rows).toEqual([{ valid: true }]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    }
  });
});
