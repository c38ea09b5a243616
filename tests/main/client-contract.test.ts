import { describe, expect, it } from 'vitest';
import { IPC_METHODS, IPC_TOPICS, isIpcTopic, type IpcMethod } from '../../src-shared/ipc';
import { IMAGES } from '../support/media';
import { TEST_PASSWORD } from '../support/test-server';
import { waitFor } from './helpers';
import { expectConverged, liveFixtures, serverMessages, type CoreHandle } from './live-helpers';

/** Every renderer method through `invoke` against the real server; every result and topic payload checked against the contract. */
describe('ClientCore implements the renderer contract', () => {
  const live = liveFixtures();
  const core = (): CoreHandle => live.core(null);

  it('answers every IPC method with data matching its result schema', async () => {
    const w = await live.world();
    const bob = await w.t.addStaff('bob', 'm1', { display_name: 'Bob' });
    const h = core();
    const topicErrors: string[] = [];
    const topicsSeen = new Set<string>();
    for (const topic of Object.keys(IPC_TOPICS)) {
      if (!isIpcTopic(topic)) continue;
      h.core.subscribe(topic, (payload: unknown) => {
        topicsSeen.add(topic);
        const r = IPC_TOPICS[topic].safeParse(payload);
        if (!r.success) topicErrors.push(`${topic}: ${r.error.message}`);
      });
    }
    const called = new Set<IpcMethod>();
    const call = async <M extends IpcMethod>(method: M, args: Parameters<typeof h.core.invoke<M>>[1]) => {
      called.add(method);
      const result = await h.core.invoke(method, args);
      const parsed = IPC_METHODS[method].result.safeParse(result);
      expect(parsed.success, `${method} result: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
      return result;
    };

    expect(await h.core.call('lines.list', {})).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    await call('session.get', {});
    await w.customerSays('我想订两晚湖景房');
    const { line_id } = await w.customerSays('有早餐吗？');
    await call('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    await waitFor(() => h.core.runtime?.channel.state().status === 'online', 5_000, 'online');
    await expectConverged(h, w.t, w.staff);

    expect((await call('lines.list', { busi_type: 'consult', mine: true })).map((l) => l.line_id)).toEqual([line_id]);
    const history = await call('history.load', { line_id, limit: 1 });
    expect(history.more).toBe(true);
    expect(
      (await call('history.load', { line_id, before_key: history.messages[0]!.key, limit: 10 })).messages,
    ).toHaveLength((await serverMessages(w.t, w.staff)).get(line_id)!.length - 1);
    const sent = await call('message.send', { line_id, content: { type: 'text', text: '含双早' } });
    // A permanent rejection: a line this user cannot see.
    const doomed = await call('message.send', { line_id: '999999', content: { type: 'text', text: 'lost' } });
    await waitFor(
      () => h.core.runtime!.store.messageByRandomId(doomed.random_id!)?.state === 'failed',
      5_000,
      'failed',
    );
    expect(h.core.runtime!.store.messageByRandomId(doomed.random_id!)!.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call('message.retry', { random_id: doomed.random_id! })).state).toBe('sending');
    await waitFor(
      () => h.core.runtime!.store.messageByRandomId(doomed.random_id!)?.state === 'failed',
      5_000,
      'failed again',
    );
    await call('message.delete', { random_id: doomed.random_id! });
    expect(await h.core.call('message.delete', { random_id: doomed.random_id! })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    await waitFor(() => h.core.runtime!.store.messageByRandomId(sent.random_id!)?.state === 'sent', 5_000, 'sent');

    await call('line.markRead', { line_id });
    expect((await call('line.mute', { line_id, muted: true })).muted).toBe(true);
    await call('line.mute', { line_id, muted: false });
    await call('line.typing', { line_id });
    expect((await call('staff.list', {})).map((s) => s.uid).sort()).toEqual([w.staff.uid, bob.uid].sort());
    expect((await call('search', { query: '早餐', limit: 5 })).length).toBe(1);
    const reply = await call('quickReplies.put', { title: 'Breakfast', text: 'Breakfast is 7–10 am.' });
    expect((await call('quickReplies.list', {})).map((q) => q.id)).toEqual([reply.id]);
    await call('quickReplies.delete', { id: reply.id });
    await call('need.push', { need: { view: 'line', line_id } });
    await call('need.pop', {});
    await call('window.focus', { focused: true, visible: true });
    await call('settings.get', {});
    await call('settings.set', { flash_on_message: false });
    await call('diagnostics.get', {});
    await call('notifications.test', {});
    await call('link.open', { url: 'https://example.com/order/1' });
    const image = await call('media.upload', {
      name: 'a.png',
      mime: 'image/png',
      data_base64: IMAGES['image/png'].toString('base64'),
      width: 1,
      height: 1,
    });
    expect(image.url).toMatch(/^\/v1\/media\//);
    expect((await call('media.get', { url: image.url })).mime).toBe('image/png');
    const queued = await call('message.sendImage', {
      line_id,
      name: 'b.png',
      mime: 'image/png',
      data_base64: IMAGES['image/png'].toString('base64'),
      width: 1,
      height: 1,
    });
    expect([queued.state, queued.content.type]).toEqual(['sending', 'image']);
    await call('draft.set', { line_id, text: 'half an answer' });
    expect(await call('drafts.get', {})).toEqual({ [line_id]: 'half an answer' });
    expect((await call('line.setStatus', { line_id, status: 'pending' })).status).toBe('pending');
    const moved = await call('line.transfer', { line_id, to: bob.uid });
    expect(moved.assignee).toBe(bob.uid);
    await expectConverged(h, w.t, w.staff);

    // Bob's inbox never carried the messages sent before the transfer: history.load fetches and keeps them.
    const b = core();
    await b.core.invoke('session.signIn', { server_url: w.t.url, account: 'bob', password: TEST_PASSWORD });
    await waitFor(() => b.core.runtime?.channel.state().status === 'online', 5_000, 'bob online');
    await waitFor(() => b.core.runtime!.store.line(line_id), 5_000, 'bob has the line');
    const bobHistory = await b.core.invoke('history.load', { line_id, limit: 50 });
    const texts = bobHistory.messages
      .filter((m) => m.content.type === 'text')
      .map((m) => (m.content as { text: string }).text);
    expect(texts).toEqual(['我想订两晚湖景房', '有早餐吗？', '含双早']);

    expect((await call('session.signOut', {})).signed_in).toBe(false);
    expect(h.core.runtime).toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    expect(topicErrors).toEqual([]);
    expect([...topicsSeen].sort()).toEqual(
      expect.arrayContaining([
        'channel.state',
        'line.updated',
        'message.new',
        'message.updated',
        'session.changed',
        'settings.changed',
        'unread.changed',
      ]),
    );
    expect([...called].sort()).toEqual(Object.keys(IPC_METHODS).sort());
  });
});
