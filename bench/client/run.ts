/**
 * `npm run bench:client`: the client core's store and resume, each next to a reference in the same run.
 *   1. inbox ingest into the client store (de-duplication, lines, unread, FTS, cursor per page)
 *      vs raw better-sqlite3 batched inserts of the same rows — messages/s and the ratio
 *   2. catch-up of 10,000 missed messages from the real server (its own process) into the store,
 *      over WebSocket and over long-poll — seconds and messages/s
 *   3. steady-state memory of the core holding 5,000 lines (heap and RSS after GC, above the
 *      process's baseline), and the time of one `lines.list` over them
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ClientCore } from '../../src-main/core/client-core';
import { AlwaysOnline } from '../../src-main/ports/network';
import { createNodePorts } from '../../src-main/ports';
import { silentLogger } from '../../src-main/ports/logger';
import { RecordingNotifier } from '../../src-main/ports/notifier';
import type { Cursor } from '../../src-shared/protocol';
import { benchIngest } from './ingest';
import { STAFF_LOGIN, STAFF_PASSWORD, seedServer, startServerProcess } from './server-child';

const INGEST_MESSAGES = 30_000;
const BUSY_LINES = 20;
const LINES = 5_000;
const MESSAGES_PER_LINE = 2; // 10,000 missed messages

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function settle(): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Sign a fresh core in and time until its cursor reaches the server's inbox head. */
async function catchUp(
  url: string,
  head: Cursor,
  transport: 'ws' | 'poll',
): Promise<{ ms: number; core: ClientCore; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-client-core-'));
  if (transport === 'poll') {
    // As if this server had been found to block WebSockets earlier; no upgrade probe during the run.
    writeFileSync(
      join(dataDir, 'transport.json'),
      JSON.stringify({ [url]: { preferred: 'poll', young_deaths: 0, probe_failures: 0 } }),
    );
  }
  const core = new ClientCore({
    dataDir,
    ports: createNodePorts({ log: silentLogger, notifier: new RecordingNotifier(), network: new AlwaysOnline() }),
    config: { transport: { probeAfterMs: 3_600_000 } },
  });
  await core.start();
  const started = performance.now();
  await core.invoke('session.signIn', { server_url: url, account: STAFF_LOGIN, password: STAFF_PASSWORD });
  await until(
    () => {
      const c = core.runtime?.store.cursor();
      return c?.epoch === head.epoch && c.seq === head.seq;
    },
    300_000,
    `${transport} catch-up`,
  );
  const ms = performance.now() - started;
  if (core.runtime!.channel.state().transport !== transport)
    throw new Error(`expected ${transport}, got ${core.runtime!.channel.state().transport}`);
  return { ms, core, dataDir };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-client-'));
  const cleanup: (() => Promise<void> | void)[] = [() => rmSync(work, { recursive: true, force: true })];
  try {
    console.log(
      `1. ingest of ${fmt(INGEST_MESSAGES)} inbox events (pages of 500, each overlapping the last by 10%; best of 3 alternating rounds)`,
    );
    const ingest = benchIngest(work, INGEST_MESSAGES, 500);
    console.log(
      `   client store (dedup + lines + unread + FTS5 + cursor): ${fmt(ingest.ours.messagesPerSec)} msg/s  (${fmt(ingest.ours.stored)} stored, ${fmt(ingest.ours.duplicatesSkipped)} duplicates skipped)`,
    );
    console.log(`   raw better-sqlite3 batched inserts (reference):        ${fmt(ingest.raw.messagesPerSec)} msg/s`);
    console.log(
      `   ratio client store / raw: ${(ingest.ours.messagesPerSec / ingest.raw.messagesPerSec).toFixed(3)}  (raw is ${(ingest.raw.messagesPerSec / ingest.ours.messagesPerSec).toFixed(0)}× faster)`,
    );
    console.log(
      `   (breakdown: the client store with a plain table in place of its FTS5 index runs ${fmt(ingest.oursWithoutSearch.messagesPerSec)} msg/s)`,
    );
    // A busy desk: the same events over 20 lines, so each page carries ~25 messages per line.
    const busy = benchIngest(work, INGEST_MESSAGES, BUSY_LINES);
    console.log(
      `   over ${BUSY_LINES} busy lines: client store ${fmt(busy.ours.messagesPerSec)} msg/s, raw ${fmt(busy.raw.messagesPerSec)} msg/s, ratio ${(busy.ours.messagesPerSec / busy.raw.messagesPerSec).toFixed(3)}`,
    );

    const serverDir = join(work, 'server');
    const seedStart = performance.now();
    const head = await seedServer(serverDir, LINES, MESSAGES_PER_LINE);
    console.log(
      `\n   (seeded ${fmt(LINES)} lines × ${MESSAGES_PER_LINE} messages; staff inbox head seq ${fmt(head.seq)}; ${((performance.now() - seedStart) / 1000).toFixed(1)} s)`,
    );
    const server = await startServerProcess(serverDir);
    cleanup.push(() => server.stop());

    const baseline = settle();
    console.log(
      `2. catch-up of ${fmt(LINES * MESSAGES_PER_LINE)} missed messages (${fmt(head.seq)} inbox events) from the real server`,
    );
    const poll = await catchUp(server.url, head, 'poll');
    console.log(`   long-poll: ${(poll.ms / 1000).toFixed(2)} s  (${fmt((head.seq / poll.ms) * 1000)} events/s)`);
    await poll.core.dispose();
    rmSync(poll.dataDir, { recursive: true, force: true });
    const ws = await catchUp(server.url, head, 'ws');
    cleanup.push(async () => {
      await ws.core.dispose();
      rmSync(ws.dataDir, { recursive: true, force: true });
    });
    console.log(`   WebSocket: ${(ws.ms / 1000).toFixed(2)} s  (${fmt((head.seq / ws.ms) * 1000)} events/s)`);

    console.log(`3. steady state of the core with ${fmt(LINES)} lines (connected, idle)`);
    const listStart = performance.now();
    const lines = await ws.core.invoke('lines.list', {});
    const listMs = performance.now() - listStart;
    if (lines.length !== LINES) throw new Error(`expected ${LINES} lines, got ${lines.length}`);
    await new Promise((r) => setTimeout(r, 3_000));
    const steady = settle();
    console.log(`   lines.list over ${fmt(lines.length)} lines: ${listMs.toFixed(0)} ms`);
    console.log(
      `   JS heap above baseline: ${mb(steady.heap - baseline.heap)}  (heap ${mb(steady.heap)}, baseline ${mb(baseline.heap)})`,
    );
    console.log(
      `   RSS: ${mb(steady.rss)} (baseline before any core ${mb(baseline.rss)}; RSS keeps freed pages, so the heap figure is the one to compare)`,
    );
  } finally {
    for (const c of cleanup.reverse()) await c();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
