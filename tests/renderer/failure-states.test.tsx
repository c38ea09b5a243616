// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpcError } from '../../src-shared/ipc';
import { FakeApi } from './support/fakeApi';
import { makeLine, NOW, SETTINGS } from './support/fixtures';
import { emitChannelState, installLayout, mountApp, type Mounted } from './support/render';

beforeAll(() => installLayout());
afterEach(cleanup);

const offline = () =>
  new IpcError({ code: 'OFFLINE', message: 'not connected to the server', temporary: true, retry_after_ms: null });

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
    emitChannelState(app, 'connecting', NOW + 1);
    serve();
    emitChannelState(app, 'online', NOW + 2);
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

describe('failed calls are said in the UI language', () => {
  it('a line action refused while offline says so in Chinese, not in the core’s words', async () => {
    const staff = [{ uid: 's3', display_name: 'Chen Jie', online: true, open_lines: 1, capacity: 10 }];
    const api = new FakeApi(
      { lines: [makeLine(1)], staff, settings: { ...SETTINGS, language: 'zh-CN' } },
      { 'line.transfer': () => Promise.reject(offline()) },
    );
    const app = await mountApp(api, { language: 'zh-CN' });
    await openFirstLine(app);
    fireEvent.click(screen.getByRole('button', { name: '转接' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Chen Jie/ }));
    await app.settle();
    expect(screen.getByRole('alert').textContent).toBe('操作失败：当前离线，请在连接恢复后重试。');
  });

  describe('images', () => {
    beforeEach(() => {
      vi.stubGlobal('createImageBitmap', () => Promise.resolve({ width: 1, height: 1, close: () => undefined }));
    });
    afterEach(() => vi.unstubAllGlobals());

    const paste = (file: File) =>
      fireEvent.paste(screen.getByLabelText(/Type a reply/), { clipboardData: { files: [file] } });

    it('a pasted image goes to the outbox: shown at once as sending, no error', async () => {
      const app = await mountApp(new FakeApi({ lines: [makeLine(1)] }));
      await openFirstLine(app);
      paste(new File([new Uint8Array([1, 2, 3])], 'photo.png', { type: 'image/png' }));
      await app.settle();
      expect(app.api.callsOf('message.sendImage')).toMatchObject([
        { line_id: 'L1', name: 'photo.png', mime: 'image/png' },
      ]);
      expect(screen.getByRole('log').querySelector('[data-state]')!.getAttribute('data-state')).toBe('sending');
      expect(screen.queryByRole('alert')).toBeNull();
    });

    it('an image the core refuses says why', async () => {
      const refusal = new IpcError({
        code: 'PAYLOAD_TOO_LARGE',
        message: 'the image is 9.0 MB; images of at most 8.0 MB can be sent',
        temporary: false,
        retry_after_ms: null,
      });
      const api = new FakeApi({ lines: [makeLine(1)] }, { 'message.sendImage': () => Promise.reject(refusal) });
      const app = await mountApp(api);
      await openFirstLine(app);
      paste(new File([new Uint8Array([1, 2, 3])], 'photo.png', { type: 'image/png' }));
      await app.settle();
      expect(screen.getByRole('alert').textContent).toMatch(/^Could not send the image: /);
      expect(screen.getByRole('alert').textContent).not.toContain('PAYLOAD_TOO_LARGE');
    });

    it('an image type that cannot be sent is named in the UI language', async () => {
      const app = await mountApp(
        new FakeApi({ lines: [makeLine(1), makeLine(2)], settings: { ...SETTINGS, language: 'zh-CN' } }),
        {
          language: 'zh-CN',
        },
      );
      await openFirstLine(app);
      fireEvent.paste(screen.getByRole('textbox'), {
        clipboardData: { files: [new File([new Uint8Array([1])], 'IMG_0001.heic', { type: 'image/heic' })] },
      });
      await app.settle();
      expect(screen.getByRole('alert').textContent).toBe('图片发送失败：只能发送 PNG、JPEG、GIF 和 WebP 格式的图片。');
      expect(app.api.callsOf('message.sendImage')).toHaveLength(0);
      fireEvent.click(app.container.querySelector<HTMLElement>('[data-line-id="L2"]')!);
      await app.settle();
      expect(screen.queryByRole('alert')).toBeNull();
    });
  });

  it('a refused send is shown in its own line, not in the next one opened', async () => {
    const tooLong = new IpcError({
      code: 'MESSAGE_TOO_LONG',
      message: 'text > 4000',
      temporary: false,
      retry_after_ms: null,
    });
    const api = new FakeApi({ lines: [makeLine(1), makeLine(2)] }, { 'message.send': () => Promise.reject(tooLong) });
    const app = await mountApp(api);
    await openFirstLine(app);
    const composer = () => screen.getByLabelText<HTMLTextAreaElement>(/Type a reply/);
    fireEvent.change(composer(), { target: { value: 'a long answer' } });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await app.settle();
    expect(screen.getByRole('alert').textContent).toBe('The message is too long.');
    expect(composer().value).toBe('a long answer');
    fireEvent.click(app.container.querySelector<HTMLElement>('[data-line-id="L2"]')!);
    await app.settle();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a connection stopped because the session ended says to sign in again', async () => {
    const app = await mountApp(new FakeApi({ lines: [makeLine(1)] }));
    emitChannelState(app, 'stopped', NOW + 1, {
      last_error: { code: 'UNAUTHENTICATED', message: 'token revoked', temporary: false, retry_after_ms: null },
    });
    expect(screen.getByRole('status').textContent).toBe('Disconnected: Your session has ended. Sign in again.');
  });
});

describe('line actions', () => {
  it('a failed action stays on its own line, and a click dismisses it', async () => {
    const api = new FakeApi({ lines: [makeLine(1), makeLine(2)] }, { 'line.mute': () => Promise.reject(offline()) });
    const app = await mountApp(api);
    await openFirstLine(app);
    fireEvent.click(screen.getByRole('button', { name: 'Mute' }));
    await app.settle();
    expect(screen.getByRole('alert').textContent).toContain('Action failed');
    fireEvent.click(app.container.querySelector<HTMLElement>('[data-line-id="L2"]')!);
    await app.settle();
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.click(app.container.querySelector<HTMLElement>('[data-line-id="L1"]')!);
    await app.settle();
    fireEvent.click(screen.getByRole('alert'));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('quick reply editor', () => {
  async function openSettings(api: FakeApi) {
    const app = await mountApp(api);
    fireEvent.click(screen.getByRole('button', { name: /Settings/ }));
    await app.settle();
    return app;
  }
  const form = () => document.querySelector<HTMLFormElement>('.quick-reply-form')!;
  const fill = (title: string, text: string) => {
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: title } });
    fireEvent.change(screen.getByLabelText(/^Text/), { target: { value: text } });
  };

  it('adds a reply once however often Add is pressed while it is saving', async () => {
    let answer: () => void = () => undefined;
    const api: FakeApi = new FakeApi(
      {},
      {
        'quickReplies.put': (args) =>
          new Promise((resolve) => {
            answer = () => resolve({ id: 'q1', title: args.title, text: args.text });
          }),
      },
    );
    const app = await openSettings(api);
    fill('Greeting', 'Hello');
    fireEvent.submit(form());
    fireEvent.submit(form());
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    await app.settle();
    answer();
    await app.settle();
    expect(api.callsOf('quickReplies.put')).toHaveLength(1);
    expect(document.querySelectorAll('.quick-reply-list li')).toHaveLength(1);
    expect(screen.getByLabelText<HTMLInputElement>('Title').value).toBe('');
  });

  it('keeps what was typed when saving fails, and says why', async () => {
    const api = new FakeApi({}, { 'quickReplies.put': () => Promise.reject(offline()) });
    const app = await openSettings(api);
    fill('Greeting', 'Hello');
    fireEvent.submit(form());
    await app.settle();
    expect(screen.getByRole('alert').textContent).toBe(
      'Could not save the quick reply: You are offline. Try again when the connection is back.',
    );
    expect(screen.getByLabelText<HTMLInputElement>('Title').value).toBe('Greeting');
    expect(screen.getByRole('button', { name: 'Add' })).toHaveProperty('disabled', false);
  });

  it('says why a reply could not be removed, and keeps it', async () => {
    const api = new FakeApi(
      { quickReplies: [{ id: 'q1', title: 'Greeting', text: 'Hello' }] },
      { 'quickReplies.delete': () => Promise.reject(offline()) },
    );
    const app = await openSettings(api);
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await app.settle();
    expect(api.callsOf('quickReplies.delete')).toHaveLength(1);
    expect(screen.getByRole('alert').textContent).toBe(
      'Could not remove the quick reply: You are offline. Try again when the connection is back.',
    );
    expect(document.querySelectorAll('.quick-reply-list li')).toHaveLength(1);
  });
});

describe('conversation list', () => {
  it('says why it is empty when the list could not be read, and Retry reads it again', async () => {
    let locked = true;
    const busy = new IpcError({
      code: 'STORE_LOCKED',
      message: 'The local message database is in use by another process.',
      temporary: true,
      retry_after_ms: null,
    });
    const lines = [makeLine(1)];
    const api = new FakeApi({ lines }, { 'lines.list': () => (locked ? Promise.reject(busy) : lines) });
    const app = await mountApp(api);
    expect(screen.getByRole('alert').textContent).toContain(
      'Could not load conversations: The local message database is in use by another process.',
    );
    locked = false;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await app.settle();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(app.container.querySelectorAll('[data-line-id]')).toHaveLength(1);
  });
});
