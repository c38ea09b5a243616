import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import { runShell, type ElectronApi, type ShellHost } from '../../src-main/electron/shell-app';
import { RENDERER_CSP } from '../../src-main/shell/app-protocol';
import { IPC_CHANNELS } from '../../src-main/shell/ipc-channels';
import { FakeBrowserWindow, FakeTray, fakeElectron } from './fake-electron';
import { startShell as start, stopShells, temp } from './shell-harness';

afterEach(stopShells);

/**
 * The whole shell started by runShell against an in-memory Electron and the real client core:
 * what main.ts does on a machine with a display, minus the binary.
 */
describe('the shell, started against an in-memory Electron', () => {
  it('opens one secure window on app:// and serves the renderer with the CSP', async () => {
    const s = await start();
    expect(s.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
    expect(s.app.getPath('userData')).toBe(s.userData);
    expect(FakeBrowserWindow.all).toHaveLength(1);
    expect(s.win.loaded).toBe('app://merchant-im/index.html');
    expect(s.win.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      preload: join(s.appRoot, 'dist', 'electron', 'preload.cjs'),
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(s.win.visible).toBe(true);
    const res = await s.protocolHandlers.get('app')!(new Request('app://merchant-im/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP);
  });

  it('applies machine policy: the server is preset and locked, updates are off, typos are reported', async () => {
    const s = await start();
    const session = await s.invoke('session.get');
    expect(session).toEqual({
      ok: true,
      result: expect.objectContaining({
        signed_in: false,
        server_url: 'https://im.corp.example',
        server_url_locked: true,
      }),
    });
    const diagnostics = await s.invoke('diagnostics.get');
    expect(diagnostics.result.versions).toMatchObject({ electron: '41.7.1', updater: 'disabled', tray: 'available' });
    expect(diagnostics.result.notifications).toEqual({
      supported: true,
      suppressed_reason: 'GNOME "Do Not Disturb" is on.',
    });
    expect(diagnostics.result.recent_errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'POLICY', message: expect.stringContaining('unknown policy Colour') }),
      ]),
    );
    expect(await s.invoke('notifications.test')).toMatchObject({
      ok: true,
      result: { shown: true, reason: 'GNOME "Do Not Disturb" is on.' },
    });
  });

  it('refuses IPC from a foreign origin in its own window', async () => {
    const s = await start();
    const reply = (await s.electron.ipcMain.invoke(
      IPC_CHANNELS.invoke,
      { sender: s.win.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      'session.get',
      {},
    )) as { ok: boolean; error: { code: string } };
    expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('opens the conversation of a deep link, at launch and from a second instance', async () => {
    const s = await start(['electron', 'dist/electron/main.cjs', 'merchant-im://line/L1']);
    s.subscribe('ui.openLine');
    expect(s.win.webContents.events()).toEqual([['ui.openLine', { line_id: 'L1', message_id: null }]]);
    s.win.hide();
    s.app.emit('second-instance', {}, ['merchant-im', 'merchant-im://line/L2?message=M9'], '/', {});
    expect(s.win.visible).toBe(true);
    expect(s.win.webContents.events().at(-1)).toEqual(['ui.openLine', { line_id: 'L2', message_id: 'M9' }]);
  });

  it('pauses notifications from the tray and hides to it on close', async () => {
    const s = await start();
    const tray = FakeTray.last!;
    expect(tray.menu.map((i: MenuItemConstructorOptions) => i.id ?? i.type)).toEqual([
      'open',
      'separator',
      'pause-1h',
      'pause-tomorrow',
      'separator',
      'quit',
    ]);
    const before = Date.now();
    tray.clickMenu('pause-1h');
    await expect
      .poll(async () => (await s.invoke('settings.get')).result.notifications.dnd_until)
      .toBeGreaterThanOrEqual(before + 3_600_000);
    await expect
      .poll(() => tray.menu.map((i: MenuItemConstructorOptions) => i.id ?? i.type))
      .toEqual(['open', 'separator', 'resume', 'separator', 'quit']);
    s.win.show();
    s.win.userClose();
    expect(s.win.destroyed).toBe(false);
    expect(s.win.visible).toBe(false);
    tray.emit('click');
    expect(s.win.visible).toBe(true);
  });

  it('copies redacted diagnostics for support', async () => {
    const s = await start([], { MERCHANT_IM_PROXY_PASSWORD: 'not-in-the-report' });
    const help = s.appMenu().find((m) => m.role === 'help')!;
    const copy = (help.submenu as MenuItemConstructorOptions[]).find((i) => i.id === 'copy-diagnostics')!;
    (copy.click as () => void)();
    await expect.poll(() => s.clipboard.length).toBe(1);
    expect(s.clipboard[0]).toContain('"managed_configuration"');
    expect(s.clipboard[0]).toContain('https://im.corp.example');
    expect(s.clipboard[0]).not.toContain('not-in-the-report');
  });

  it('shuts the core down before the app really quits', async () => {
    const s = await start();
    s.app.quit();
    expect(s.app.calls).not.toContain('quit');
    await expect.poll(() => s.app.quitCount).toBe(2);
    expect(s.app.calls).toContain('quit');
    expect(FakeTray.last!.destroyed).toBe(true);
    expect(s.electron.ipcMain.handlers.size).toBe(0);
  });

  it('quits at once when another instance holds the lock', () => {
    const fake = fakeElectron(temp('mim-shell-lock-'), { hasLock: false });
    expect(
      runShell(
        fake.electron as unknown as ElectronApi,
        { argv: [], env: {}, platform: 'linux' } as unknown as ShellHost,
      ),
    ).toBeNull();
    expect(fake.app.quitCount).toBe(1);
  });
});
