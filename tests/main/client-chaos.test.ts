import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChannelState } from '../../src-shared/ipc';
import { TEST_PASSWORD } from '../support/test-server';
import { waitFor } from './helpers';
import { FAST, expectConverged, liveFixtures, type CoreHandle, type World, type makeWorld } from './live-helpers';
import { TcpProxy } from './tcp-proxy';

/**
 * The delivery guarantee under failure, against the real server through a misbehaving proxy:
 * after each scenario the client store equals the server (every message once, in order per line,
 * nothing lost, cursor at the inbox head).
 */
describe('ClientCore under failure', () => {
  const live = liveFixtures();

  async function setup(serverOptions: Parameters<typeof makeWorld>[0] = {}): Promise<{ w: World; proxy: TcpProxy }> {
    const w = await live.world(serverOptions);
    const proxy = await TcpProxy.start(w.t.server.port);
    live.defer(() => proxy.close());
    return { w, proxy };
  }

  function core(dataDir: string | null = null, config = FAST): CoreHandle & { states: ChannelState[] } {
    const h = live.core(dataDir, config);
    const states: ChannelState[] = [];
    h.core.subscribe('channel.state', (s) => {
      states.push(s);
      if (process.env.CLIENT_TEST_LOG)
        console.log('state', h.dataDir.slice(-6), s.status, s.transport, s.last_error?.code, s.last_error?.message);
    });
    return { ...h, states };
  }

  const online = (h: { states: ChannelState[] }, transport: 'ws' | 'poll', from = 0) =>
    waitFor(
      () => h.states.slice(from).some((s) => s.status === 'online' && s.transport === transport),
      10_000,
      `online over ${transport}`,
    );

  async function signIn(h: CoreHandle, url: string): Promise<void> {
    await h.core.invoke('session.signIn', { server_url: url, account: 'alice', password: TEST_PASSWORD });
  }

  async function staffSays(h: CoreHandle, lineId: string, text: string): Promise<string> {
    return (await h.core.invoke('message.send', { line_id: lineId, content: { type: 'text', text } })).random_id!;
  }

  it('kill and restart the server mid-conversation: nothing lost, nothing twice', async () => {
    const { w, proxy } = await setup();
    const h = core();
    const { line_id } = await w.customerSays('c0');
    await signIn(h, proxy.url);
    await online(h, 'ws');
    for (let i = 1; i <= 4; i++) {
      await w.customerSays(`c${i}`);
      await staffSays(h, line_id, `s${i}`);
    }
    await w.t.restart('kill');
    // While the server is down the staff member keeps typing: the outbox holds it.
    const queued = [await staffSays(h, line_id, 'while down 1'), await staffSays(h, line_id, 'while down 2')];
    proxy.setTarget(w.t.server.port);
    for (let i = 5; i <= 8; i++) await w.customerSays(`c${i}`);
    await expectConverged(h, w.t, w.staff);
    const texts = h.core.runtime!.store.allMessages(line_id).map((m) => (m.content as { text: string }).text);
    expect(texts.filter((t) => t.startsWith('while down'))).toEqual(['while down 1', 'while down 2']);
    expect(queued.map((rid) => h.core.runtime!.store.messageByRandomId(rid)!.state)).toEqual(['sent', 'sent']);
  });

  it('sockets cut at random points, including right after a send (lost acknowledgement)', async () => {
    const { w, proxy } = await setup();
    const h = core();
    const { line_id } = await w.customerSays('hello');
    await signIn(h, proxy.url);
    await online(h, 'ws');
    let customerCount = 0;
    const chatter = (async () => {
      for (let i = 0; i < 30; i++) {
        await w.customerSays(`customer ${customerCount++}`);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    for (let i = 0; i < 8; i++) {
      await staffSays(h, line_id, `staff ${i}`);
      if (i === 3) proxy.cutAfterClientSends = /"type":"send"/;
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      proxy.cutAll();
    }
    await chatter;
    await expectConverged(h, w.t, w.staff, 20_000);
    expect(proxy.cutAfterClientSends, 'the lost-ack cut happened').toBeNull();
    const texts = h.core.runtime!.store.allMessages(line_id).map((m) => (m.content as { text: string }).text);
    expect(texts.filter((t) => t.startsWith('staff '))).toEqual(Array.from({ length: 8 }, (_, i) => `staff ${i}`));
    expect(texts.filter((t) => t.startsWith('customer '))).toHaveLength(30);
  });

  it('falls back to long-poll when WebSocket is blocked, remembers it, and upgrades when it works again', async () => {
    const { w, proxy } = await setup();
    proxy.blockWebSocket = true;
    const h = core();
    const { line_id } = await w.customerSays('over a hotel proxy');
    await signIn(h, proxy.url);
    await online(h, 'poll');
    const memory = JSON.parse(readFileSync(join(h.dataDir, 'transport.json'), 'utf8')) as Record<
      string,
      { preferred: string }
    >;
    expect(Object.values(memory)[0]!.preferred).toBe('poll');
    await staffSays(h, line_id, 'answered over long-poll');
    await w.customerSays('and received over long-poll');
    await expectConverged(h, w.t, w.staff);

    const mark = h.states.length;
    proxy.blockWebSocket = false;
    await online(h, 'ws', mark);
    await w.customerSays('now over WebSocket');
    await staffSays(h, line_id, 'me too');
    await expectConverged(h, w.t, w.staff);
    const after = JSON.parse(readFileSync(join(h.dataDir, 'transport.json'), 'utf8')) as Record<
      string,
      { preferred: string }
    >;
    expect(Object.values(after)[0]!.preferred).toBe('ws');
  });

  it('WebSockets that keep dying young make the channel choose long-poll', async () => {
    const { w, proxy } = await setup();
    proxy.killWebSocketAfterMs = 150;
    const h = core(null, { ...FAST, transport: { ...FAST.transport, probeAfterMs: 60_000 } });
    await w.customerSays('hi');
    await signIn(h, proxy.url);
    await online(h, 'poll');
    expect(proxy.websocketsAccepted).toBeGreaterThanOrEqual(2);
    await w.customerSays('still arrives');
    await expectConverged(h, w.t, w.staff);
  });

  it('restarting the client core resends its outbox in order, with the same random_ids', async () => {
    const { w, proxy } = await setup();
    const first = core();
    const { line_id } = await w.customerSays('anyone there?');
    await signIn(first, proxy.url);
    await online(first, 'ws');
    proxy.refuse = true;
    proxy.cutAll();
    const rids = [];
    for (let i = 0; i < 3; i++) rids.push(await staffSays(first, line_id, `queued ${i}`));
    expect(first.core.runtime!.store.outbox().map((o) => o.random_id)).toEqual(rids);
    await first.core.dispose();

    const second = core(first.dataDir);
    await second.core.start();
    expect(await second.core.invoke('session.get', {})).toMatchObject({ signed_in: true });
    expect(second.core.runtime!.store.outbox().map((o) => o.random_id)).toEqual(rids);
    proxy.refuse = false;
    await expectConverged(second, w.t, w.staff);
    // The server's system notices (e.g. "Alice is now looking after this conversation") name the staff member too.
    const mine = second.core
      .runtime!.store.allMessages(line_id)
      .filter((m) => m.sender === w.staff.uid && m.content.type !== 'system');
    expect(mine.map((m) => m.random_id)).toEqual(rids);
  });

  it('resume over many small pages overlapping live pushes', async () => {
    const { w, proxy } = await setup();
    const h = core(null, { ...FAST, sync: { ...FAST.sync, pageSize: 3 } });
    await w.customerSays('start');
    await signIn(h, proxy.url);
    await online(h, 'ws');
    proxy.refuse = true;
    proxy.cutAll();
    for (let i = 0; i < 40; i++) await w.customerSays(`missed ${i}`);
    const mark = h.states.length;
    proxy.refuse = false;
    h.core.runtime!.channel.reconnectNow();
    await online(h, 'ws', mark);
    // More arrive while the resume pages are still coming in.
    for (let i = 0; i < 10; i++) await w.customerSays(`live ${i}`);
    await expectConverged(h, w.t, w.staff);
    expect(h.core.runtime!.sync.counters().pages).toBeGreaterThan(13);
  });

  it('a silent connection is detected by the heartbeat and replaced', async () => {
    const { w, proxy } = await setup();
    const h = core();
    await w.customerSays('hi');
    await signIn(h, proxy.url);
    await online(h, 'ws');
    const mark = h.states.length;
    proxy.frozen = true;
    const started = Date.now();
    await waitFor(() => h.states.slice(mark).some((s) => s.status !== 'online'), 8_000, 'dead connection noticed');
    // interval 2 s + timeout 1.5 s (FAST), with some slack.
    expect(Date.now() - started).toBeLessThan(6_000);
    proxy.frozen = false;
    proxy.cutAll();
    await online(h, 'ws', mark);
    await w.customerSays('after the freeze');
    await expectConverged(h, w.t, w.staff);
  });

  it('no attempts while the network is down; prompt reconnect when it returns', async () => {
    const { proxy } = await setup();
    const h = core();
    await signIn(h, proxy.url);
    await online(h, 'ws');
    h.ports.network.set(false);
    proxy.cutAll();
    await waitFor(() => h.core.runtime!.channel.state().status === 'offline', 5_000, 'offline');
    const before = proxy.connectionsAccepted;
    await new Promise((r) => setTimeout(r, 600));
    expect(proxy.connectionsAccepted).toBe(before);
    const mark = h.states.length;
    const back = Date.now();
    h.ports.network.set(true);
    await online(h, 'ws', mark);
    expect(Date.now() - back).toBeLessThan(1_500);
  });

  it("honours the server's drain hint on a graceful restart", async () => {
    const { w, proxy } = await setup({ drainWindowMs: 400 });
    const h = core();
    await signIn(h, proxy.url);
    await online(h, 'ws');
    const mark = h.states.length;
    const restarting = w.t.restart('close');
    await waitFor(() => h.states.slice(mark).find((s) => s.status === 'backoff'), 5_000, 'backoff after drain');
    const backoff = h.states.slice(mark).find((s) => s.status === 'backoff')!;
    expect(backoff.last_error?.code).toBe('SERVER_DRAINING');
    expect(backoff.retry_at! - backoff.since).toBeLessThanOrEqual(400);
    await restarting;
    proxy.setTarget(w.t.server.port);
    await online(h, 'ws', mark);
  });

  it('stops and says why when the account is disabled', async () => {
    const { w, proxy } = await setup();
    const h = core();
    await signIn(h, proxy.url);
    await online(h, 'ws');
    await w.t.server.store.setAccountDisabled(w.staff.uid, true);
    proxy.cutAll();
    await waitFor(() => h.core.runtime!.channel.state().status === 'stopped', 5_000, 'stopped');
    expect(h.core.runtime!.channel.state().last_error?.code).toBe('ACCOUNT_DISABLED');
    const attempts = proxy.connectionsAccepted;
    await new Promise((r) => setTimeout(r, 500));
    expect(proxy.connectionsAccepted).toBe(attempts);
    const diagnostics = await h.core.invoke('diagnostics.get', {});
    expect(diagnostics.recent_errors.some((e) => e.code === 'ACCOUNT_DISABLED')).toBe(true);
  });

  it('a line read while offline is told to the server after an app restart', async () => {
    const { w, proxy } = await setup();
    const first = core();
    await w.customerSays('are you there?');
    const { line_id, message_id } = await w.customerSays('hello?');
    await signIn(first, proxy.url);
    await online(first, 'ws');
    await expectConverged(first, w.t, w.staff);
    const staffUnread = async (): Promise<number> =>
      (await w.t.server.store.listLines({ viewer: w.staff, limit: 10 })).unread[line_id] ?? 0;
    expect(await staffUnread()).toBeGreaterThan(0);

    proxy.refuse = true;
    proxy.cutAll();
    await waitFor(() => first.core.runtime!.channel.connection() === null, 5_000, 'offline');
    await first.core.invoke('line.markRead', { line_id });
    expect(first.core.runtime!.store.line(line_id)!.unread).toBe(0);
    await first.core.dispose();
    expect(await staffUnread()).toBeGreaterThan(0);

    const second = core(first.dataDir);
    await second.core.start();
    expect(second.core.runtime!.store.pendingReads()).toEqual([{ line_id, message_id: expect.any(String) }]);
    proxy.refuse = false;
    await waitFor(async () => (await staffUnread()) === 0, 10_000, 'the server has the read');
    await waitFor(() => second.core.runtime!.store.pendingReads().length === 0, 5_000, 'receipt forgotten');
    const { lines } = await w.t.server.store.listLines({ viewer: w.staff, limit: 10 });
    // At least the customer's last message (a system notice may follow it).
    expect(Number(lines.find((l) => l.line_id === line_id)!.staff_read_message_id)).toBeGreaterThanOrEqual(
      Number(message_id),
    );
  });

  it('refreshes an expiring token and carries on', async () => {
    const { w, proxy } = await setup({ tokenTtlMs: 1_500, heartbeatIntervalMs: 300 });
    const h = core();
    const { line_id } = await w.customerSays('hi');
    await signIn(h, proxy.url);
    await online(h, 'ws');
    const mark = h.states.length;
    await new Promise((r) => setTimeout(r, 3_500));
    await staffSays(h, line_id, 'still signed in');
    await expectConverged(h, w.t, w.staff);
    // Refreshed in-band before expiry: the same socket lived on, no reconnect was needed.
    expect(h.states.slice(mark).map((s) => s.status)).toEqual([]);
    expect(h.core.runtime!.channel.state().status).toBe('online');

    // A token that expired while the app was closed is refreshed over HTTP on the next start.
    await h.core.dispose();
    await new Promise((r) => setTimeout(r, 1_700));
    const again = core(h.dataDir);
    await again.core.start();
    await online(again, 'ws');
    await expectConverged(again, w.t, w.staff);
    expect(again.states.some((s) => s.status === 'stopped')).toBe(false);
  });
});
