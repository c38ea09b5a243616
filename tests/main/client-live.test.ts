import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../support/test-server';
import { waitFor } from './helpers';
import { expectConverged, liveFixtures } from './live-helpers';

describe('ClientCore against the real server', () => {
  const { world, core } = liveFixtures();

  it('keeps unsent composer text per line across a restart of the core, and forgets an emptied one', async () => {
    const w = await world();
    const { line_id } = await w.customerSays('is breakfast included?');
    const first = core();
    await first.core.invoke('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    await first.core.invoke('draft.set', { line_id, text: 'Yes, breakfast is inc' });
    await first.core.invoke('draft.set', { line_id: 'other', text: 'to be emptied' });
    await first.core.invoke('draft.set', { line_id: 'other', text: '' });
    await first.core.dispose();

    const again = core(first.dataDir);
    await again.core.start();
    expect(await again.core.invoke('drafts.get', {})).toEqual({ [line_id]: 'Yes, breakfast is inc' });
    expect(await again.core.call('draft.set', { line_id, text: 'x'.repeat(100_000) })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
  });

  it('signs in, resumes history, receives live messages, sends replies through the outbox', async () => {
    const w = await world();
    const first = await w.customerSays('你好，请问湖景房还有吗？');
    const h = core();
    const states: string[] = [];
    h.core.subscribe('channel.state', (s) => void states.push(`${s.status}:${s.transport ?? '-'}`));
    const session = await h.core.invoke('session.signIn', {
      server_url: w.t.url,
      account: 'alice',
      password: TEST_PASSWORD,
    });
    expect(session).toMatchObject({ signed_in: true, user: { uid: w.staff.uid, role: 'staff' } });
    await waitFor(() => states.includes('online:ws'), 5_000, 'online over ws');
    await expectConverged(h, w.t, w.staff);

    const news: string[] = [];
    h.core.subscribe('message.new', (m) => void news.push(m.message_id ?? m.key));
    const second = await w.customerSays('明天入住');
    await waitFor(() => news.includes(second.message_id), 5_000, 'live push');

    const sent = await h.core.invoke('message.send', {
      line_id: first.line_id,
      content: { type: 'text', text: '有的，欢迎预订' },
    });
    expect(sent.state).toBe('sending');
    const updated = await new Promise<string>((resolve) =>
      h.core.subscribe('message.updated', (m) => {
        if (m.random_id === sent.random_id && m.state === 'sent') resolve(m.message_id!);
      }),
    );
    expect(updated).toMatch(/^\d+$/);
    await expectConverged(h, w.t, w.staff);
    const lines = await h.core.invoke('lines.list', {});
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      line_id: first.line_id,
      last_message: { random_id: sent.random_id, state: 'sent' },
    });
    expect(
      (await h.core.invoke('search', { query: '湖景房', limit: 10 })).map((hit) => hit.message.message_id),
    ).toEqual([first.message_id]);
  });

  it('reads made offline reach the server on the next connect; dispose leaves no socket behind', async () => {
    const w = await world();
    const { line_id } = await w.customerSays('one');
    await w.customerSays('two');
    const h = core();
    await h.core.invoke('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    await expectConverged(h, w.t, w.staff);
    const rt = h.core.runtime!;
    h.ports.network.set(false);
    rt.channel.stop();
    await h.core.invoke('line.markRead', { line_id });
    expect(rt.store.line(line_id)!.unread).toBe(0);
    const serverUnread = async () => (await w.t.server.store.listLines({ viewer: w.staff, limit: 10 })).unread[line_id];
    expect(await serverUnread()).toBe(2);
    h.ports.network.set(true);
    rt.channel.start();
    await waitFor(async () => (await serverUnread()) === 0, 5_000, 'read reached the server');
    // The customer's own socket stays; the core's goes with dispose.
    const before = w.t.server.connectionCount();
    await h.core.dispose();
    await waitFor(() => w.t.server.connectionCount() === before - 1, 3_000, 'socket closed on dispose');
  });

  it('a damaged account database is reported, not replaced', async () => {
    const w = await world();
    const h = core();
    await h.core.invoke('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    const path = h.core.runtime!.store.path;
    await h.core.dispose();
    const garbage = Buffer.alloc(4096, 0x42);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, garbage);
    const again = core(h.dataDir);
    const states: string[] = [];
    again.core.subscribe('channel.state', (s) => void states.push(`${s.status}:${s.last_error?.code ?? ''}`));
    await again.core.start();
    expect(await again.core.invoke('session.get', {})).toMatchObject({ signed_in: true });
    expect(await again.core.call('lines.list', {})).toMatchObject({
      ok: false,
      error: { code: 'STORE_CORRUPT', temporary: false },
    });
    expect((await again.core.invoke('diagnostics.get', {})).channel).toMatchObject({
      status: 'stopped',
      last_error: { code: 'STORE_CORRUPT' },
    });
    await waitFor(() => states.includes('stopped:STORE_CORRUPT'), 2_000, 'state published');
    expect(Buffer.compare(readFileSync(path), garbage)).toBe(0);
    // Signing out and in again is the user's way out; the damaged file is still left alone.
    await again.core.invoke('session.signOut', {});
    expect(Buffer.compare(readFileSync(path), garbage)).toBe(0);
  });
});
