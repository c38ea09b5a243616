import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../src-main/electron/packaging/bundle';
import { IPC_CHANNELS } from '../../src-main/shell/ipc-channels';
import { FakeBrowserWindow, fakeElectron } from './fake-electron';
import { fromMainFrame } from './fakes';

/**
 * The artifacts electron-builder packs (same layout: <app>/dist/electron, <app>/dist/build): the minified CommonJS bundles. The main bundle is loaded
 * as Electron would load it, with `require('electron')` answered by the in-memory Electron.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'mim-bundle-'));
const userData = mkdtempSync(join(tmpdir(), 'mim-bundle-profile-'));
const restore: (() => void)[] = [];

beforeAll(async () => {
  await bundle({ outDir: join(out, 'dist'), minify: true });
}, 120_000);
afterAll(async () => {
  for (const undo of restore.splice(0).reverse()) undo();
  await new Promise((r) => setTimeout(r, 50));
  rmSync(out, { recursive: true, force: true });
  rmSync(userData, { recursive: true, force: true });
});

describe('bundled main process and preload', () => {
  it('builds a self-contained sandbox preload that loads nothing but electron', () => {
    const preload = readFileSync(join(out, 'dist', 'electron', 'preload.cjs'), 'utf8');
    expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).toContain('merchantIm');
    expect(preload).not.toMatch(/zod|node:/);
  });

  it('builds the electron-builder hook bundle', () => {
    expect(existsSync(join(out, 'dist', 'build', 'hooks.cjs'))).toBe(true);
  });

  it('starts the app from main.cjs with electron supplied by the runtime', async () => {
    // What Electron provides at run time: the electron module and process.getSystemVersion.
    const modules = join(out, 'node_modules');
    mkdirSync(join(modules, 'electron'), { recursive: true });
    writeFileSync(join(modules, 'electron', 'index.js'), 'module.exports = globalThis.__merchantImTestElectron;');
    symlinkSync(join(ROOT, 'node_modules', 'better-sqlite3'), join(modules, 'better-sqlite3'), 'junction');
    const fake = fakeElectron(join(userData, 'unused'));
    const g = globalThis as { __merchantImTestElectron?: unknown };
    g.__merchantImTestElectron = fake.electron;
    const proc = process as unknown as { getSystemVersion?: () => string };
    proc.getSystemVersion = () => 'test';
    const previousDir = process.env.MERCHANT_IM_USER_DATA_DIR;
    process.env.MERCHANT_IM_USER_DATA_DIR = userData;
    restore.push(() => {
      delete g.__merchantImTestElectron;
      delete proc.getSystemVersion;
      if (previousDir === undefined) delete process.env.MERCHANT_IM_USER_DATA_DIR;
      else process.env.MERCHANT_IM_USER_DATA_DIR = previousDir;
      fake.app.quit();
    });

    createRequire(import.meta.url)(join(out, 'dist', 'electron', 'main.cjs'));

    await expect.poll(() => FakeBrowserWindow.all.length, { timeout: 10_000 }).toBe(1);
    const win = FakeBrowserWindow.all[0]!;
    expect(win.options.webPreferences?.preload).toBe(join(out, 'dist', 'electron', 'preload.cjs'));
    await expect.poll(() => fake.electron.ipcMain.handlers.has(IPC_CHANNELS.invoke)).toBe(true);
    const reply = (await fake.electron.ipcMain.invoke(
      IPC_CHANNELS.invoke,
      fromMainFrame(win.webContents),
      'session.get',
      {},
    )) as { ok: boolean; result: { signed_in: boolean } };
    expect(reply).toMatchObject({ ok: true, result: { signed_in: false } });
    // electron-log (Node flavour) writes the log file, and registers no IPC of its own.
    await expect.poll(() => existsSync(join(userData, 'logs', 'main.log'))).toBe(true);
    expect([...fake.electron.ipcMain.handlers.keys()]).toEqual([IPC_CHANNELS.invoke]);
    expect([...fake.electron.ipcMain.listeners.keys()].sort()).toEqual([
      IPC_CHANNELS.subscribe,
      IPC_CHANNELS.unsubscribe,
    ]);
  });
});
