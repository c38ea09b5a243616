import { describe, expect, it, vi } from 'vitest';
import type { LocalMessage } from '../../src-shared/ipc';
import { TEST_PASSWORD } from '../support/test-server';
import { waitFor } from './helpers';
import { expectConverged, liveFixtures, serverMessages, type CoreHandle, type World } from './live-helpers';

const texts = (messages: LocalMessage[]): string[] =>
  messages.filter((m) => m.content.type === 'text').map((m) => (m.content as { text: string }).text);

/** history.load asks the server only for what the store cannot vouch for. */
describe('history.load', () => {
  const live = liveFixtures();

  async function setup(): Promise<{ w: World; h: CoreHandle; line_id: string; fetches: () => number }> {
    const w = await live.world();
    let line_id = '';
    for (let i = 1; i <= 12; i++) line_id = (await w.customerSays(`c${i}`)).line_id;
    const h = live.core(null);
    await h.core.invoke('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    await expectConverged(h, w.t, w.staff);
    await waitFor(() => h.core.runtime!.store.line(line_id)?.assignee === w.staff.uid, 5_000, 'assigned to alice');
    const request = vi.spyOn(h.core.runtime!.channel, 'request');
    const fetches = (): number => request.mock.calls.filter(([type]) => type === 'history').length;
    return { w, h, line_id, fetches };
  }

  it('answers from the store once it holds a contiguous window, and only fetches what lies outside', async () => {
    const { w, h, line_id, fetches } = await setup();
    const load = (before_key?: string, limit = 5) =>
      h.core.invoke('history.load', { line_id, limit, ...(before_key ? { before_key } : {}) });

    const newest = await load();
    expect(fetches()).toBe(1);
    expect(await load()).toEqual(newest);
    expect(fetches()).toBe(1);

    const older = await load(newest.messages[0]!.key);
    expect(fetches()).toBe(2);
    expect(older.more).toBe(true);
    expect(await load(newest.messages[0]!.key)).toEqual(older);
    expect(fetches()).toBe(2);

    // New messages come through the inbox into the window: no fetch to show them.
    await w.customerSays('c13');
    await waitFor(() => texts(h.core.runtime!.store.allMessages(line_id)).includes('c13'), 5_000, 'c13 stored');
    expect(texts((await load()).messages).at(-1)).toBe('c13');
    expect(fetches()).toBe(2);

    // The whole line: fetched once (down to its start), then local.
    const all = await load(undefined, 200);
    expect(fetches()).toBe(3);
    expect(all.more).toBe(false);
    expect(all.messages.map((m) => m.message_id)).toEqual((await serverMessages(w.t, w.staff)).get(line_id));
    expect(await load(undefined, 200)).toEqual(all);
    expect(await load(all.messages[3]!.key, 50)).toMatchObject({ more: false });
    expect(fetches()).toBe(3);
  });

  it('fetches again after the line was someone else’s: what was said meanwhile is a hole in the store', async () => {
    const { w, h, line_id, fetches } = await setup();
    await h.core.invoke('history.load', { line_id, limit: 50 });
    expect(fetches()).toBe(1);

    const bob = await w.t.addStaff('bob', 'm1', { display_name: 'Bob' });
    await h.core.invoke('line.transfer', { line_id, to: bob.uid });
    await w.customerSays('while Bob had it 1');
    await w.customerSays('while Bob had it 2');
    const bobWs = await w.t.connectWs('bob');
    await bobWs.request('line.transfer', { line_id, to: w.staff.uid });
    await waitFor(() => h.core.runtime!.store.line(line_id)?.assignee === w.staff.uid, 5_000, 'back to alice');
    expect(texts(h.core.runtime!.store.allMessages(line_id))).not.toContain('while Bob had it 1');

    const page = await h.core.invoke('history.load', { line_id, limit: 50 });
    expect(fetches()).toBe(2);
    expect(texts(page.messages).slice(-2)).toEqual(['while Bob had it 1', 'while Bob had it 2']);
    expect(page.messages.map((m) => m.message_id)).toEqual((await serverMessages(w.t, w.staff)).get(line_id));
    await h.core.invoke('history.load', { line_id, limit: 50 });
    expect(fetches()).toBe(2);
  });
});
