import { createHash } from 'node:crypto';
import pg from 'pg';
import { ImError } from '../../../src-shared/protocol';
import type { Logger } from '../../logger';
import { DEFAULT_RETRY, isConnectionBroken, isTransient, retryDelay, type RetryPolicy } from './transient';

/** What store code runs statements on: parameterised statements are prepared once per connection. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface PgDatabaseOptions {
  /** postgres://user@host:port/db — a `schema` query parameter selects the schema (search_path). */
  url: string;
  /** Connections per node; the default suits 2–4 cores. */
  poolSize?: number;
  retry?: RetryPolicy;
  connectTimeoutMs?: number;
  /** Server-side cap on one statement, and client-side cap on waiting for its answer. */
  statementTimeoutMs?: number;
  applicationName?: string;
  logger?: Logger;
  random?: () => number;
}

/** STORAGE_UNAVAILABLE asks clients to come back after this long. */
const UNAVAILABLE_RETRY_AFTER_MS = 1_000;

/** int8 (ids, counts, millisecond timestamps) as JS numbers: all stay far below 2^53. */
const INT8_OID = 20;
const parseInt8 = (v: string): number => Number(v);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

export function parseDbUrl(url: string): { connectionString: string; schema: string | null } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new Error(`not a postgres:// url: ${parsed.protocol}`);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  return { connectionString: parsed.toString(), schema };
}

/**
 * A pooled PostgreSQL handle that runs work as transactions (or single reads) and retries transient
 * failures a bounded number of times with jittered backoff. When the budget is spent the caller gets
 * STORAGE_UNAVAILABLE (temporary), which clients answer by retrying later.
 */
export class PgDatabase {
  readonly pool: pg.Pool;
  readonly schema: string | null;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private closed = false;
  /** Counters for /healthz and the benchmark. */
  readonly stats = { transactions: 0, retries: 0, unavailable: 0 };

  constructor(private readonly options: PgDatabaseOptions) {
    const { connectionString, schema } = parseDbUrl(options.url);
    this.schema = schema;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.random = options.random ?? Math.random;
    const statementTimeout = options.statementTimeoutMs ?? 10_000;
    this.pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      statement_timeout: statementTimeout,
      query_timeout: statementTimeout + 2_000,
      idle_in_transaction_session_timeout: 30_000,
      // Named per schema so an operator (or a test) can find this store's sessions in pg_stat_activity.
      application_name: (options.applicationName ?? 'im-server') + (schema !== null ? `:${schema}` : ''),
      types,
      ...(schema !== null ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle connection that dies (server restart) is dropped by the pool; without a listener it would crash the process.
    this.pool.on('error', (err) => options.logger?.warn({ err }, 'idle database connection lost'));
    // A connection that dies while checked out (between two queries, or while being closed) reports it as
    // an event too; the query in flight or the next one fails and is retried.
    this.pool.on('connect', (client) =>
      client.on('error', (err) => options.logger?.debug({ err }, 'database connection lost')),
    );
  }

  /** Run `fn` in one transaction (READ COMMITTED; row locks order the writers), retried when transient. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.attempt(async (client) => {
      await client.query('BEGIN');
      try {
        const out = await fn(this.prepared(client));
        await client.query('COMMIT');
        this.stats.transactions++;
        return out;
      } catch (err) {
        if (!isConnectionBroken(err)) await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** A read outside any transaction (one statement or several that need no common snapshot). */
  read<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.attempt((client) => fn(this.prepared(client)));
  }

  /** A connection of its own for work that spans transactions (migrations under an advisory lock). */
  async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  /** One cheap round trip, no retries: does the database answer right now? */
  async ping(timeoutMs = 1_000): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const answer = this.pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Statements named by their text, so each connection parses and plans them once (the hot ones run
   * thousands of times a second; planning them every time costs the database more than running them).
   */
  private prepared(client: pg.PoolClient): Queryable {
    return {
      query: <R extends pg.QueryResultRow>(text: string, values?: readonly unknown[]) =>
        values === undefined
          ? client.query<R>(text)
          : client.query<R>({ name: this.statementName(text), text, values: values as unknown[] }),
    };
  }

  private readonly names = new Map<string, string>();
  private statementName(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `im_${createHash('sha1').update(text).digest('base64url').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }

  private async attempt<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new ImError('STORAGE_UNAVAILABLE', 'the database is closed', UNAVAILABLE_RETRY_AFTER_MS);
      let client: pg.PoolClient | null = null;
      try {
        client = await this.pool.connect();
        const out = await fn(client);
        client.release();
        return out;
      } catch (err) {
        client?.release(isConnectionBroken(err) ? (err as Error) : undefined);
        if (err instanceof ImError) throw err;
        if (!isTransient(err)) throw err;
        if (attempt >= this.retry.attempts || this.closed) {
          this.stats.unavailable++;
          this.options.logger?.warn({ err, attempts: attempt }, 'database unavailable');
          throw new ImError('STORAGE_UNAVAILABLE', 'the database is unavailable', UNAVAILABLE_RETRY_AFTER_MS);
        }
        this.stats.retries++;
        const delay = retryDelay(this.retry, attempt, err, this.random);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
