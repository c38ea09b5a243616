// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IpcError, type ChannelState } from '../../src-shared/ipc';
import { FakeApi } from './support/fakeApi';
import { makeLine, NOW } from './support/fixtures';
import { installLayout, mountApp, type Mounted } from './support/render';

beforeAll(() => installLayout());
afterEach(cleanup);

const offline = () =>
  new IpcError({ code: 'OFFLINE', message: 'not connected to the server', temporary: true, retry_after_ms: null });

function channel(app: Mounted, status: ChannelState['status'], since: number) {
  act(() =>
    app.api.emit('channel.state', {
      status,
      transport: status === 'online' ? 'ws' : null,
      retry_at: null,
      last_error: null,
      since,
    }),
  );
}

async function openFirstLine(app: Mounted) {
  fireEvent.click(app.container.querySelector<HTMLElement>('[data-line-id]')!);
  await app.settle();
}

describe('quick replies asked for before the channel is up', () => {
  const greeting = { id: 'q1', title: 'Greeting', text: 'Hello {customer_name}' };

  async function mountOffline() {
    let reachable = false;
    const api = new FakeApi(
      { lines: [makeLine(1, { customer_name: 'Ann' })] },
      { 'quickReplies.list': () => (reachable ? [greeting] : Promise.reject(offline())) },
    );
    const app = await mountApp(api);
    await openFirstLine(app);
    return { app, serve: () => (reachable = true) };
  }

  it('says they could not be loaded (not "none yet") and loads them when the connection is back', async () => {
    const { app, serve } = await mountOffline();
    fireEvent.click(screen.getByRole('button', { name: 'Quick replies' }));
    expect(screen.getByRole('menu').textContent).toContain('Could not load quick replies.');
    expect(screen.getByRole('menu').textContent).not.toContain('No quick replies yet');
    channel(app, 'connecting', NOW + 1);
    serve();
    channel(app, 'online', NOW + 2);
    await app.settle();
    expect(screen.getByRole('menuitem', { name: /Greeting/ })).toBeTruthy();
    expect(app.api.callsOf('quickReplies.list')).toHaveLength(2);
  });

  it('offers Retry in the picker', async () => {
    const { app, serve } = await mountOffline();
    fireEvent.click(screen.getByRole('button', { name: 'Quick replies' }));
    serve();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await app.settle();
    expect(screen.getByRole('menuitem', { name: /Greeting/ })).toBeTruthy();
  });
});
