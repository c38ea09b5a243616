import { describe, expect, it } from 'vitest';
import { IpcBridge } from '../../src-main/electron/ipc';
import { IPC_CHANNELS } from '../../src-main/shell/ipc-channels';
import { FakeCore, FakeIpcMain, FakeWebContents, RecordingLogger, fromMainFrame, type FakeEvent } from './fakes';

function setup() {
  const ipcMain = new FakeIpcMain();
  const core = new FakeCore((method) =>
    method === 'session.get' ? { ok: true, result: { signed_in: false } } : { ok: true, result: {} },
  );
  const log = new RecordingLogger();
  const bridge = new IpcBridge(ipcMain as never, core, log);
  const win = new FakeWebContents(1);
  bridge.trust(win as never);
  return { ipcMain, core, log, bridge, win };
}

describe('IPC bridge: sender checks', () => {
  it('passes a call from the app window top frame to the core with parsed arguments', async () => {
    const { ipcMain, core, win } = setup();
    expect(await ipcMain.invoke(IPC_CHANNELS.invoke, fromMainFrame(win), 'session.get', {})).toEqual({
      ok: true,
      result: { signed_in: false },
    });
    await ipcMain.invoke(IPC_CHANNELS.invoke, fromMainFrame(win), 'history.load', { line_id: 'L1' });
    expect(core.calls).toEqual([
      ['session.get', {}],
      ['history.load', { line_id: 'L1', limit: 50 }],
    ]);
  });

  const refusals: [string, (win: FakeWebContents) => FakeEvent, RegExp][] = [
    [
      'a foreign origin in the window',
      (w) => ({ sender: w, senderFrame: { url: 'https://evil.example/', parent: null } }),
      /origin https:\/\/evil.example/,
    ],
    [
      'a subframe of the app page',
      (w) => ({ sender: w, senderFrame: { url: 'app://merchant-im/frame.html', parent: w.mainFrame } }),
      /subframe/,
    ],
    ['a frame that is gone', (w) => ({ sender: w, senderFrame: null }), /gone/],
    ['a webContents that is not an app window', () => fromMainFrame(new FakeWebContents(99)), /not an app window/],
  ];

  it.each(refusals)('refuses %s without calling the core', async (_name, event, reason) => {
    const { ipcMain, core, log, win } = setup();
    const reply = (await ipcMain.invoke(IPC_CHANNELS.invoke, event(win), 'session.get', {})) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('FORBIDDEN');
    expect(reply.error.message).toMatch(reason);
    expect(core.calls).toEqual([]);
    expect(log.entries.at(-1)).toMatchObject({ level: 'warn', msg: 'refused IPC message' });
  });

  it('refuses subscriptions from a foreign frame', () => {
    const { ipcMain, core, win } = setup();
    ipcMain.send(
      IPC_CHANNELS.subscribe,
      { sender: win, senderFrame: { url: 'https://evil.example/', parent: null } },
      'message.new',
    );
    expect(core.subscriberCount('message.new')).toBe(0);
  });

  it('stops trusting a window once it is destroyed', async () => {
    const { ipcMain, core, win } = setup();
    win.destroy();
    const reply = (await ipcMain.invoke(IPC_CHANNELS.invoke, fromMainFrame(win), 'session.get', {})) as { ok: boolean };
    expect(reply.ok).toBe(false);
    expect(core.calls).toEqual([]);
  });

  it('validates arguments against the contract before the core sees them', async () => {
    const { ipcMain, core, win } = setup();
    const bad = (await ipcMain.invoke(IPC_CHANNELS.invoke, fromMainFrame(win), 'line.markRead', { line_id: 42 })) as {
      ok: boolean;
      error: { code: string };
    };
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const unknown = (await ipcMain.invoke(IPC_CHANNELS.invoke, fromMainFrame(win), 'shell.openPath', {
      path: '/',
    })) as { ok: boolean };
    expect(unknown.ok).toBe(false);
    expect(core.calls).toEqual([]);
  });

  it('turns a throwing core into error data', async () => {
    const ipcMain = new FakeIpcMain();
    const core = new FakeCore(() => {
      throw new Error('boom at C:\\Users\\alice');
    });
    new IpcBridge(ipcMain as never, core, new RecordingLogger()).trust(new FakeWebContents(1) as never);
    const reply = (await ipcMain.invoke(
      IPC_CHANNELS.invoke,
      fromMainFrame(new FakeWebContents(1)),
      'session.get',
      {},
    )) as { ok: boolean; error: { code: string; message: string } };
    expect(reply).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(reply.error.message).not.toContain('alice');
  });
});

describe('IPC bridge: topics', () => {
  it('forwards subscribed topics to the window, once per topic, until unsubscribed', () => {
    const { ipcMain, core, win } = setup();
    ipcMain.send(IPC_CHANNELS.subscribe, fromMainFrame(win), 'unread.changed');
    ipcMain.send(IPC_CHANNELS.subscribe, fromMainFrame(win), 'unread.changed');
    ipcMain.send(IPC_CHANNELS.subscribe, fromMainFrame(win), 'not.a.topic');
    expect(core.subscriberCount('unread.changed')).toBe(1);
    core.publish('unread.changed', { line_id: 'L1', unread: 2, total: 5 });
    core.publish('message.new', { key: 'x' });
    expect(win.events()).toEqual([['unread.changed', { line_id: 'L1', unread: 2, total: 5 }]]);
    ipcMain.send(IPC_CHANNELS.unsubscribe, fromMainFrame(win), 'unread.changed');
    expect(core.subscriberCount('unread.changed')).toBe(0);
  });

  it('drops a destroyed window subscriptions', () => {
    const { ipcMain, core, win } = setup();
    ipcMain.send(IPC_CHANNELS.subscribe, fromMainFrame(win), 'message.new');
    win.destroy();
    expect(core.subscriberCount('message.new')).toBe(0);
  });

  it('holds a shell event (deep link) until the renderer subscribes, then delivers it once', () => {
    const { ipcMain, bridge, win } = setup();
    bridge.emit('ui.openLine', { line_id: 'L7', message_id: null });
    expect(win.events()).toEqual([]);
    ipcMain.send(IPC_CHANNELS.subscribe, fromMainFrame(win), 'ui.openLine');
    expect(win.events()).toEqual([['ui.openLine', { line_id: 'L7', message_id: null }]]);
    bridge.emit('ui.openLine', { line_id: 'L8', message_id: 'M1' });
    expect(win.events()).toHaveLength(2);
  });

  it('removes every handler on dispose', () => {
    const { ipcMain, bridge } = setup();
    bridge.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect([...ipcMain.listeners.values()].every((s) => s.size === 0)).toBe(true);
  });
});
