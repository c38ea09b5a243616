import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import { runShell, type ElectronApi, type ShellHost } from '../../src-main/electron/shell-app';
import { IPC_CHANNELS } from '../../src-main/shell/ipc-channels';
import type { PolicyIo } from '../../src-main/shell/policy-sources';
import { FakeBrowserWindow, FakeTray, fakeElectron } from './fake-electron';
import { RecordingLogger, fromMainFrame } from './fakes';

/**
 * The whole shell started by runShell against an in-memory Electron and the real client core:
 * what main.ts does on a machine with a display, minus the binary.
 */
const dirs: string[] = [];
const running: { quit(): void }[] = [];
afterEach(() => {
  for (const app of running.splice(0)) app.quit();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** Linux with a tray host, GNOME do-not-disturb on, and a machine policy presetting and locking the server. */
const linuxIo: PolicyIo = {
  readText: (path) =>
    Promise.resolve(path === '/etc/merchant-im/policy.json' ? JSON.stringify({ ServerUrl: 'https://im.corp.example', LockServerUrl: true, DisableAutoUpdate: 1, Colour: 'blue' }) : null),
  run: (file) => Promise.resolve(file === 'gdbus' ? { code: 0, stdout: '(true,)\n' } : file === 'gsettings' ? { code: 0, stdout: 'false\n' } : { code: 1, stdout: '' }),
};

/** Invoke replies as the tests read them. */
interface Reply {
  ok: boolean;
  error?: { code: string };
  result: {
    versions: Record<string, string>;
    notifications: { supported: boolean; suppressed_reason: string | null; dnd_until: number | null };
    recent_errors: { code: string; message: string }[];
  };
}

async function start(argv: string[] = ['electron', 'dist/electron/main.cjs'], env: Record<string, string> = {}) {
  const userData = temp('mim-shell-profile-');
  const appRoot = temp('mim-shell-root-');
  mkdirSync(join(appRoot, 'dist', 'renderer'), { recursive: true });
  writeFileSync(join(appRoot, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Merchant IM</title>');
  const fake = fakeElectron(join(userData, 'default'));
  const log = new RecordingLogger();
  const host: ShellHost = {
    argv,
    env: { XDG_CURRENT_DESKTOP: 'GNOME', MERCHANT_IM_USER_DATA_DIR: userData, ...env },
    platform: 'linux',
    execPath: '/opt/merchant-im/merchant-im',
    appRoot,
    versions: { electron: '41.7.1', chrome: '146.0.0.0', node: '22.0.0' },
    osVersion: '6.1.0',
    autoUpdater: () => {
      throw new Error('the updater must stay off in a development build');
    },
    builtInFeedUrl: null,
    createLogger: () => ({ logger: log, file: join(userData, 'logs', 'main.log') }),
    io: linuxIo,
  };
  const started = runShell(fake.electron as unknown as ElectronApi, host);
  expect(started).not.toBeNull();
  await started!.ready;
  expect(fake.errors).toEqual([]);
  running.push(fake.app);
  const win = FakeBrowserWindow.all[0]!;
  const invoke = (method: string, args: unknown = {}) => fake.electron.ipcMain.invoke(IPC_CHANNELS.invoke, fromMainFrame(win.webContents), method, args) as Promise<Reply>;
  const subscribe = (topic: string) => fake.electron.ipcMain.send(IPC_CHANNELS.subscribe, fromMainFrame(win.webContents), topic);
  return { ...fake, log, win, invoke, subscribe, userData, appRoot };
}

describe('the shell, started against an in-memory Electron', () => {
  it('opens one secure window on app:// and serves the renderer with the CSP', async () => {
    const s = await start();
    expect(s.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
    expect(s.app.getPath('userData')).toBe(s.userData);
    expect(FakeBrowserWindow.all).toHaveLength(1);
    expect(s.win.loaded).toBe('app://merchant-im/index.html');
    expect(s.win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, preload: join(s.appRoot, 'dist', 'electron', 'preload.cjs') });
    await new Promise((r) => setTimeout(r, 0));
    expect(s.win.visible).toBe(true);
    const res = await s.protocolHandlers.get('app')!(new Request('app://merchant-im/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain('img-src \'self\' data: blob: https://im.corp.example');
  });

  it('applies machine policy: the server is preset and locked, updates are off, typos are reported', async () => {
    const s = await start();
    const session = await s.invoke('session.get');
    expect(session).toEqual({ ok: true, result: expect.objectContaining({ signed_in: false, server_url: 'https://im.corp.example', server_url_locked: true }) });
    const diagnostics = await s.invoke('diagnostics.get');
    expect(diagnostics.result.versions).toMatchObject({ electron: '41.7.1', updater: 'disabled', tray: 'available' });
    expect(diagnostics.result.notifications).toEqual({ supported: true, suppressed_reason: 'GNOME "Do Not Disturb" is on.' });
    expect(diagnostics.result.recent_errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'POLICY', message: expect.stringContaining('unknown policy Colour') })]));
    expect(await s.invoke('notifications.test')).toMatchObject({ ok: true, result: { shown: true, reason: 'GNOME "Do Not Disturb" is on.' } });
  });

  it('refuses IPC from a foreign origin in its own window', async () => {
    const s = await start();
    const reply = (await s.electron.ipcMain.invoke(IPC_CHANNELS.invoke, { sender: s.win.webContents, senderFrame: { url: 'https://evil.example/', parent: null } }, 'session.get', {})) as { ok: boolean; error: { code: string } };
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
    expect(tray.menu.map((i: MenuItemConstructorOptions) => i.id ?? i.type)).toEqual(['open', 'separator', 'pause-1h', 'pause-tomorrow', 'separator', 'quit']);
    const before = Date.now();
    tray.clickMenu('pause-1h');
    await expect.poll(async () => (await s.invoke('settings.get')).result.notifications.dnd_until).toBeGreaterThanOrEqual(before + 3_600_000);
    await expect.poll(() => tray.menu.map((i: MenuItemConstructorOptions) => i.id ?? i.type)).toEqual(['open', 'separator', 'resume', 'separator', 'quit']);
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
    running.splice(0);
    s.app.quit();
    expect(s.app.calls).not.toContain('quit');
    await expect.poll(() => s.app.quitCount).toBe(2);
    expect(s.app.calls).toContain('quit');
    expect(FakeTray.last!.destroyed).toBe(true);
    expect(s.electron.ipcMain.handlers.size).toBe(0);
  });

  it('quits at once when another instance holds the lock', () => {
    const fake = fakeElectron(temp('mim-shell-lock-'), { hasLock: false });
    expect(runShell(fake.electron as unknown as ElectronApi, { argv: [], env: {}, platform: 'linux' } as unknown as ShellHost)).toBeNull();
    expect(fake.app.quitCount).toBe(1);
  });
});
