import { afterEach, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../support/test-server';
import { waitFor } from './helpers';
import { expectConverged, makeCore, makeWorld, type World } from './live-helpers';

describe('ClientCore against the real server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function world(): Promise<World> {
    const w = await makeWorld();
    cleanups.push(() => w.t.stop());
    return w;
  }
  function core(dataDir: string | null = null) {
    const h = makeCore(dataDir);
    cleanups.push(async () => {
      await h.core.dispose();
      h.cleanupDir?.();
    });
    return h;
  }

  it('signs in, resumes history, receives live messages, sends replies through the outbox', async () => {
    const w = await world();
    const first = await w.customerSays('你好，请问湖景房还有吗？');
    const h = core();
    const states: string[] = [];
    h.core.subscribe('channel.state', (s) => void states.push(`${s.status}:${s.transport ?? '-'}`));
    const session = await h.core.invoke('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    expect(session).toMatchObject({ signed_in: true, user: { uid: w.staff.uid, role: 'staff' } });
    await waitFor(() => states.includes('online:ws'), 5_000, 'online over ws');
    await expectConverged(h, w.t, w.staff);

    const news: string[] = [];
    h.core.subscribe('message.new', (m) => void news.push(m.message_id ?? m.key));
    const second = await w.customerSays('明天入住');
    await waitFor(() => news.includes(second.message_id), 5_000, 'live push');

    const sent = await h.core.invoke('message.send', { line_id: first.line_id, content: { type: 'text', text: '有的，欢迎预订' } });
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
    expect(lines[0]).toMatchObject({ line_id: first.line_id, last_message: { random_id: sent.random_id, state: 'sent' } });
    expect((await h.core.invoke('search', { query: '湖景房', limit: 10 })).map((hit) => hit.message.message_id)).toEqual([first.message_id]);
  });
});
