import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { createAccount, startServer, type RunningServer } from '../../src-server';
import { bundle } from '../../src-main/electron/packaging/bundle';
import { probeElectron } from '../../src-main/web/electron-probe';
import { WsClient, signIn } from '../support/protocol-client';
import { rid, TEST_PASSWORD, TEST_PASSWORD_COST } from '../support/test-server';

/**
 * The real desktop app, driven by Playwright's Electron support: launch, sign in, receive a
 * message, a notification while unfocused, the badge, quit. It needs an Electron binary —
 * ELECTRON_PATH, or the one the `electron` package downloads on a machine with network — and a
 * display. Where there is none (our build machines), the suite reports itself skipped and why.
 */
const ROOT = join(import.meta.dirname, '..', '..');

function electronBinary(): { path: string } | { skip: string } {
  const fromEnv = process.env.ELECTRON_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { skip: `ELECTRON_PATH=${fromEnv} does not exist` };
  const probe = probeElectron(ROOT);
  return probe.usable
    ? { path: probe.binary }
    : { skip: `${probe.reason}; set ELECTRON_PATH to run the Electron suite` };
}
const binary = electronBinary();
const skipReason = 'skip' in binary ? binary.skip : null;
if (skipReason) console.warn(`[electron e2e] skipped: ${skipReason}`);

const STAFF = { login: 'alice@hotel', password: 'demo' };
const CUSTOMER = { login: 'electron-e2e-customer', name: 'Electron Tester' };

describe.skipIf(skipReason !== null)('desktop app in Electron against the real server', () => {
  let server: RunningServer;
  let serverDir: string;
  let userData: string;
  let app: ElectronApplication;
  let page: Page;
  let customer: WsClient;

  const customerSays = (text: string) =>
    customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-twin-city', busi_type: 'consult' },
      content: { type: 'text', text },
    });

  beforeAll(async () => {
    serverDir = mkdtempSync(join(tmpdir(), 'electron-e2e-server-'));
    userData = mkdtempSync(join(tmpdir(), 'electron-e2e-profile-'));
    await Promise.all([
      bundle({ minify: false }),
      build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error' }),
      startServer({ dataDir: serverDir, demo: true, port: 0, logger: false }).then((s) => (server = s)),
    ]);
    await createAccount(
      server.store,
      { account: CUSTOMER.login, password: TEST_PASSWORD, role: 'customer', display_name: CUSTOMER.name },
      { cost: TEST_PASSWORD_COST },
    );
    const device = `electron-e2e-${process.pid}`;
    const { token } = await signIn(server.url, CUSTOMER.login, TEST_PASSWORD, device);
    customer = await WsClient.connect(server.url, { token, device_id: device });
  }, 180_000);

  afterAll(async () => {
    await customer?.close().catch(() => undefined);
    if (app) await app.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    for (const dir of [serverDir, userData]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('launches with the secure renderer: only window.merchantIm, no Node', async () => {
    app = await _electron.launch({
      executablePath: (binary as { path: string }).path,
      args: [join(ROOT, 'dist', 'electron', 'main.cjs'), ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
      env: { ...process.env, MERCHANT_IM_SERVER_URL: server.url, MERCHANT_IM_USER_DATA_DIR: userData },
    });
    page = await app.firstWindow();
    page.setDefaultTimeout(15_000);
    expect(page.url()).toBe('app://merchant-im/index.html');
    expect(
      await page.evaluate(() => [
        typeof (window as unknown as { merchantIm?: object }).merchantIm,
        typeof (globalThis as { require?: unknown }).require,
        typeof (globalThis as { process?: unknown }).process,
      ]),
    ).toEqual(['object', 'undefined', 'undefined']);
    // Navigation away from the app is refused by the main process.
    await page.evaluate(() => window.location.assign('https://example.com/')).catch(() => undefined);
    expect(page.url()).toBe('app://merchant-im/index.html');
  });

  it('signs in with the server address IT preset', async () => {
    await page.getByLabel('Server address').waitFor();
    expect(await page.getByLabel('Server address').inputValue()).toBe(server.url);
    await page.getByLabel('Account').fill(STAFF.login);
    await page.getByLabel('Password').fill(STAFF.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-line-id]').first().waitFor();
  });

  it('receives a customer message live', async () => {
    const sent = await customerSays('Is breakfast included? (electron e2e)');
    await page.locator(`[data-line-id="${sent.line.line_id}"]`, { hasText: 'Is breakfast included?' }).waitFor();
  });

  it('raises an OS notification while unfocused, and shows the unread badge', async () => {
    await app.evaluate(({ BrowserWindow, Notification }) => {
      const shown: string[] = [];
      (globalThis as { __shown?: string[] }).__shown = shown;
      const original = Notification.prototype.show;
      Notification.prototype.show = function (this: Electron.Notification) {
        shown.push(`${this.title}: ${this.body}`);
        original.call(this);
      };
      BrowserWindow.getAllWindows()[0]!.hide();
    });
    await customerSays('Can I check in early? (electron e2e)');
    await expect
      .poll(() => app.evaluate(() => (globalThis as { __shown?: string[] }).__shown ?? []), { timeout: 15_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining(CUSTOMER.name)]));
    // The dock badge is readable on macOS (Linux keeps it only under Unity; Windows draws an overlay).
    if (process.platform === 'darwin')
      await expect.poll(() => app.evaluate(({ app: a }) => a.getBadgeCount())).toBeGreaterThan(0);
    const unread = await page.evaluate(async () => {
      const lines = await (
        window as unknown as { merchantIm: { invoke(m: string, a: object): Promise<{ unread: number }[]> } }
      ).merchantIm.invoke('lines.list', {});
      return lines.reduce((sum, line) => sum + line.unread, 0);
    });
    expect(unread).toBeGreaterThan(0);
  });

  it('quits cleanly', async () => {
    const exited = new Promise<void>((resolve) => app.process().once('exit', () => resolve()));
    await app.evaluate(({ app: a }) => a.quit());
    await exited;
    expect(app.process().exitCode ?? 0).toBe(0);
  });
});
