import pg from 'pg';
import { WsClient } from '../../src-server/sim/protocol-client';
import type { Cursor } from '../../src-shared/protocol';

/**
 * Reconnect storm: N clients on one node, the node is killed (-9), every client reconnects to one of
 * the surviving nodes after a random delay in [0, jitterMs) and resumes its inbox from its cursor
 * (hello, then sync). Measures how long until all are back, and what it did to PostgreSQL:
 * transactions per second from pg_stat_database deltas (each autocommit read is one) and backends.
 */
export interface StormClient {
  token: string;
  device: string;
}

export interface StormResult {
  clients: number;
  connectMs: number;
  backMs: { p50: number; p99: number; all: number };
  failedAttempts: number;
  pg: { baselineTps: number; recoveryTps: number; peakTps: number; peakBackends: number; peakActive: number };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Samples PostgreSQL every 250 ms until stopped. Backends report their transaction counts at most
 * once a second, so rates are taken over one-second windows (and over the whole recovery).
 */
class PgSampler {
  private timer: NodeJS.Timeout | null = null;
  readonly xacts: Array<{ at: number; xacts: number }> = [];
  peakBackends = 0;
  peakActive = 0;

  constructor(private readonly client: pg.Client) {}

  start(): void {
    const tick = async (): Promise<void> => {
      const { rows } = await this.client.query<{ xacts: string; backends: string; active: string }>(
        `SELECT (SELECT SUM(xact_commit + xact_rollback) FROM pg_stat_database)::text AS xacts,
                (SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::text AS backends,
                (SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = 'active')::text AS active`,
      );
      const row = rows[0]!;
      this.xacts.push({ at: performance.now(), xacts: Number(row.xacts) });
      // Our own sampling query is one of the active backends; leave it out.
      this.peakBackends = Math.max(this.peakBackends, Number(row.backends) - 1);
      this.peakActive = Math.max(this.peakActive, Number(row.active) - 1);
      this.timer = setTimeout(() => void tick().catch(() => undefined), 250);
    };
    void tick().catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Highest rate over any one-second window that ends after `t`. */
  peakSince(t: number): number {
    let peak = 0;
    for (const end of this.xacts) {
      if (end.at < t) continue;
      const start = [...this.xacts].reverse().find((s) => s.at <= end.at - 1_000);
      if (start) peak = Math.max(peak, ((end.xacts - start.xacts) * 1000) / (end.at - start.at));
    }
    return peak;
  }

  /** Average rate between two instants (nearest samples). */
  rateBetween(from: number, to: number): number {
    const a = [...this.xacts].reverse().find((s) => s.at <= from) ?? this.xacts[0];
    const b = this.xacts.find((s) => s.at >= to) ?? this.xacts[this.xacts.length - 1];
    return a && b && b.at > a.at ? ((b.xacts - a.xacts) * 1000) / (b.at - a.at) : 0;
  }
}

export async function reconnectStorm(options: {
  victimUrl: string;
  survivors: readonly string[];
  clients: readonly StormClient[];
  kill: () => Promise<void>;
  pgUrl: string;
  jitterMs: number;
  /** Parallel connects while filling the victim before the storm. */
  fillConcurrency?: number;
}): Promise<StormResult> {
  const admin = new pg.Client({ connectionString: options.pgUrl });
  await admin.connect();
  const sampler = new PgSampler(admin);
  const sockets: Array<WsClient | null> = options.clients.map(() => null);
  const cursors: Array<Cursor | null> = options.clients.map(() => null);
  let failed = 0;

  const connect = async (i: number, url: string): Promise<void> => {
    const c = options.clients[i]!;
    const ws = await WsClient.connect(url, { token: c.token, device_id: c.device });
    sockets[i] = ws;
    for (;;) {
      const page = await ws.request('sync', { cursor: cursors[i] ?? null });
      cursors[i] = page.next;
      if (!page.more) break;
    }
  };

  try {
    const fillStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: options.fillConcurrency ?? 100 }, async () => {
        while (next < options.clients.length) await connect(next++, options.victimUrl);
      }),
    );
    const connectMs = performance.now() - fillStarted;
    sampler.start();
    await sleep(2_000);

    const killedAt = performance.now();
    const back: number[] = [];
    const reconnectAll = options.clients.map(async (_c, i) => {
      await sockets[i]!.closed;
      await sleep(Math.random() * options.jitterMs);
      for (let attempt = 0; ; attempt++) {
        try {
          await connect(i, options.survivors[(i + attempt) % options.survivors.length]!);
          back.push(performance.now() - killedAt);
          return;
        } catch {
          failed++;
          await sleep(200 + Math.random() * 300);
        }
      }
    });
    await options.kill();
    await Promise.all(reconnectAll);
    const allBack = performance.now();
    await sleep(1_500);
    sampler.stop();
    const sorted = back.sort((a, b) => a - b);
    const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
    return {
      clients: options.clients.length,
      connectMs,
      backMs: { p50: at(0.5), p99: at(0.99), all: sorted[sorted.length - 1] ?? NaN },
      failedAttempts: failed,
      pg: {
        baselineTps: sampler.rateBetween(killedAt - 1_500, killedAt),
        recoveryTps: sampler.rateBetween(killedAt, allBack),
        peakTps: sampler.peakSince(killedAt),
        peakBackends: sampler.peakBackends,
        peakActive: sampler.peakActive,
      },
    };
  } finally {
    sampler.stop();
    await Promise.all(sockets.map((s) => (s ? s.close().catch(() => undefined) : Promise.resolve())));
    await admin.end();
  }
}
