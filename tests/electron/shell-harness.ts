import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runShell, type ElectronApi, type ShellHost } from '../../src-main/electron/shell-app';
import { IPC_CHANNELS } from '../../src-main/shell/ipc-channels';
import type { PolicyIo } from '../../src-main/shell/policy-sources';
import { FakeBrowserWindow, fakeElectron } from './fake-electron';
import { RecordingLogger, fromMainFrame } from './fakes';

/**
 * Starts the whole shell (runShell) against the in-memory Electron and the real client core, as
 * main.ts does on a machine with a display. Call `stopShells()` in afterEach.
 */
const dirs: string[] = [];
const running: { quit(): void }[] = [];

export async function stopShells(): Promise<void> {
  for (const app of running.splice(0)) app.quit();
  // Let the deferred quit (core disposal) finish before the profile folders go.
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
export const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** Linux with a tray host, GNOME do-not-disturb on, and a machine policy presetting and locking the server. */
export const linuxIo: PolicyIo = {
  readText: (path) =>
    Promise.resolve(
      path === '/etc/merchant-im/policy.json'
        ? JSON.stringify({
            ServerUrl: 'https://im.corp.example',
            LockServerUrl: true,
            DisableAutoUpdate: 1,
            Colour: 'blue',
          })
        : null,
    ),
  run: (file) =>
    Promise.resolve(
      file === 'gdbus'
        ? { code: 0, stdout: '(true,)\n' }
        : file === 'gsettings'
          ? { code: 0, stdout: 'false\n' }
          : { code: 1, stdout: '' },
    ),
};

/** Invoke replies as the tests read them. */
export interface Reply {
  ok: boolean;
  error?: { code: string };
  result: {
    versions: Record<string, string>;
    notifications: { supported: boolean; suppressed_reason: string | null; dnd_until: number | null };
    recent_errors: { code: string; message: string }[];
  };
}

export async function startShell(
  argv: string[] = ['electron', 'dist/electron/main.cjs'],
  env: Record<string, string> = {},
  io: PolicyIo = linuxIo,
) {
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
    io,
  };
  const started = runShell(fake.electron as unknown as ElectronApi, host);
  expect(started).not.toBeNull();
  await started!.ready;
  expect(fake.errors).toEqual([]);
  running.push(fake.app);
  const win = FakeBrowserWindow.all[0]!;
  const invoke = (method: string, args: unknown = {}) =>
    fake.electron.ipcMain.invoke(IPC_CHANNELS.invoke, fromMainFrame(win.webContents), method, args) as Promise<Reply>;
  const subscribe = (topic: string) =>
    fake.electron.ipcMain.send(IPC_CHANNELS.subscribe, fromMainFrame(win.webContents), topic);
  return { ...fake, log, win, invoke, subscribe, userData, appRoot };
}
