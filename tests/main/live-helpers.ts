import { afterEach, expect } from 'vitest';
import type { Account } from '../../src-server';
import { ClientCore } from '../../src-main/core/client-core';
import type { ConfigOverrides } from '../../src-main/core/config';
import { WsClient, signIn } from '../support/protocol-client';
import { TEST_PASSWORD, rid, startTestServer, uniqueDevice, type TestServer } from '../support/test-server';
import { tempDir, testPorts, waitFor, type TestPorts } from './helpers';

/** Timings shrunk so reconnection, fallback and upgrade happen within a test's budget. */
export const FAST: ConfigOverrides = {
  reconnect: {
    fastMinMs: 50,
    fastMaxMs: 250,
    backoffBaseMs: 250,
    backoffCapMs: 1_000,
    promptMinMs: 10,
    promptMaxMs: 50,
    stableAfterMs: 5_000,
  },
  transport: {
    wsProveMs: 1_000,
    wsYoungMs: 500,
    probeAfterMs: 400,
    probeMaxMs: 2_000,
    probeHoldMs: 300,
    pollWaitMs: 1_500,
    pollGraceMs: 2_000,
  },
  heartbeat: { intervalMs: 2_000, timeoutMs: 1_500 },
  sync: { requestTimeoutMs: 5_000 },
};

export interface World {
  t: TestServer;
  staff: Account;
  customer: Account;
  /** The customer's protocol client (WebSocket), reconnectable after a server restart. */
  customerWs(): Promise<WsClient>;
  /** The customer sends a text on the hotel object's consult line; returns the ack. */
  customerSays(text: string): Promise<{ line_id: string; message_id: string }>;
}

export async function makeWorld(serverOptions: Parameters<typeof startTestServer>[0] = {}): Promise<World> {
  const t = await startTestServer({ ratePerSecond: 1_000, rateBurst: 1_000, ...serverOptions });
  await t.addMerchant('m1', 'Lakeside Hotel 湖畔酒店');
  await t.addObject({ object_id: 'room-1', kind: 'room', merchant_id: 'm1', title: 'Lake View King 湖景大床房' });
  const staff = await t.addStaff('alice', 'm1', { display_name: 'Alice' });
  const customer = await t.addCustomer('emma', { display_name: 'Emma' });
  const device = uniqueDevice('emma');
  let ws: WsClient | null = null;
  const customerWs = async (): Promise<WsClient> => {
    if (ws && ws.ws.readyState === ws.ws.OPEN) return ws;
    ws = null;
    const { token } = await signIn(t.url, 'emma', TEST_PASSWORD, device);
    ws = t.track(await WsClient.connect(t.url, { token, device_id: device }));
    return ws;
  };
  return {
    t,
    staff,
    customer,
    customerWs,
    async customerSays(text) {
      const body = {
        random_id: rid(),
        to: { object_id: 'room-1', busi_type: 'consult' as const },
        content: { type: 'text' as const, text },
      };
      let r;
      try {
        r = await (await customerWs()).request('send', body);
      } catch {
        // Our socket died with a server restart the test caused: reconnect and resend (same random_id).
        ws = null;
        r = await (await customerWs()).request('send', body);
      }
      return { line_id: r.line.line_id, message_id: r.message.message_id };
    },
  };
}

export interface CoreHandle {
  core: ClientCore;
  ports: TestPorts;
  dataDir: string;
}

export function makeCore(
  dataDir: string | null,
  config: ConfigOverrides = FAST,
): CoreHandle & { cleanupDir: (() => void) | null } {
  let dir = dataDir;
  let cleanupDir: (() => void) | null = null;
  if (!dir) {
    const tmp = tempDir();
    dir = tmp.dir;
    cleanupDir = tmp.cleanup;
  }
  const ports = testPorts({ seed: Math.floor(Math.random() * 1e9) });
  const core = new ClientCore({ dataDir: dir, ports, config });
  return { core, ports, dataDir: dir, cleanupDir };
}

/**
 * `world()` and `core()` for a describe block: each server is stopped, each core disposed and its
 * folder removed after every test, last made first. `defer()` adds any other cleanup to that order.
 */
export function liveFixtures(): {
  world: (serverOptions?: Parameters<typeof makeWorld>[0]) => Promise<World>;
  core: (dataDir?: string | null, config?: ConfigOverrides) => CoreHandle;
  defer: (cleanup: () => Promise<void> | void) => void;
} {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    defer: (cleanup) => {
      cleanups.push(cleanup);
    },
    world: async (serverOptions = {}) => {
      const w = await makeWorld(serverOptions);
      cleanups.push(() => w.t.stop());
      return w;
    },
    core: (dataDir = null, config = FAST) => {
      const h = makeCore(dataDir, config);
      cleanups.push(async () => {
        await h.core.dispose();
        h.cleanupDir?.();
      });
      return h;
    },
  };
}

/** Every message the server holds for each of the staff member's lines, in order. */
export async function serverMessages(t: TestServer, viewer: Account): Promise<Map<string, string[]>> {
  const { lines } = await t.server.store.listLines({ viewer, limit: 500 });
  const out = new Map<string, string[]>();
  for (const line of lines) {
    const ids: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: { messages: { message_id: string }[]; more: boolean } = await t.server.store.history(
        line.line_id,
        before,
        200,
      );
      ids.unshift(...page.messages.map((m) => m.message_id));
      if (!page.more || page.messages.length === 0) break;
      before = page.messages[0]!.message_id;
    }
    out.set(line.line_id, ids);
  }
  return out;
}

/**
 * The client store equals the server: every message exactly once, in order per line, none lost,
 * nothing left in the outbox, and the cursor at the server's inbox head.
 */
export async function expectConverged(
  h: CoreHandle,
  t: TestServer,
  viewer: Account,
  timeoutMs = 15_000,
): Promise<void> {
  let seen = '';
  await waitFor(
    async () => {
      const rt = h.core.runtime;
      if (!rt) return false;
      const head = await t.server.store.inboxHead(viewer.uid);
      const cursor = rt.store.cursor();
      const pending = rt.store.outbox().length;
      seen = `cursor ${JSON.stringify(cursor)} vs head ${JSON.stringify(head)}, outbox ${pending}`;
      return pending === 0 && cursor?.epoch === head.epoch && cursor.seq === head.seq;
    },
    timeoutMs,
    () => `convergence (${seen})`,
  );
  const expected = await serverMessages(t, viewer);
  const store = h.core.runtime!.store;
  for (const [lineId, ids] of expected) {
    const local = store.allMessages(lineId);
    expect(
      local.map((m) => m.message_id),
      `line ${lineId}`,
    ).toEqual(ids);
    expect(new Set(local.map((m) => m.key)).size).toBe(local.length);
  }
  expect(store.cursor()).toEqual(await t.server.store.inboxHead(viewer.uid));
}
