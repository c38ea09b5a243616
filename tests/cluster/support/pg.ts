import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (trust auth); IM_TEST_PG_URL overrides it. */
export const PG_URL = process.env.IM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own for one test (or file) on the shared `test` database, dropped by `drop()`. */
export interface TestSchema {
  name: string;
  /** PG_URL with `?schema=` selecting it, as the server's --db takes it. */
  url: string;
  /** A plain client on the same database for inspection and fault injection. */
  admin: pg.Client;
  drop(): Promise<void>;
}

export async function createTestSchema(tag = 't'): Promise<TestSchema> {
  const name = `im_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  const url = new URL(PG_URL);
  url.searchParams.set('schema', name);
  return {
    name,
    url: url.toString(),
    admin,
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.end();
    },
  };
}

/** Terminate every backend whose search_path is this schema's (a database restart as the server sees it). */
export async function terminateBackends(schema: TestSchema, applicationName = 'im-server'): Promise<number> {
  const { rows } = await schema.admin.query<{ n: string }>(
    `SELECT COUNT(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity
     WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()`,
    [`${applicationName}:${schema.name}`],
  );
  return Number(rows[0]?.n ?? 0);
}
