import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, startServer, type RunningServer } from '../../src-server';
import { RecordingLinkOpener, RecordingNotifier } from '../../src-main/ports';
import { startBrowserClient, type BrowserClient } from '../../src-main/web/client';
import { uploadImage } from '../support/media';
import { InboxReader, WsClient, signIn } from '../support/protocol-client';
import { rid, TEST_PASSWORD, TEST_PASSWORD_COST } from '../support/test-server';
import { chromiumUnavailable, launchChromium, type Browser } from './support/chromium';
import { buildRendererOnce } from './support/renderer-build';

/**
 * The workspace end to end: Chromium drives browser mode (the real client core behind the
 * bridge) against the real IM server with its demo data; a customer speaks the wire protocol.
 * The steps share one server, one client and one page, in order.
 */
const skipReason = chromiumUnavailable();
const SHOTS = join(process.cwd(), 'test-results', 'screenshots');
const CUSTOMER = { login: 'e2e-sofia', name: 'Sofia Tester' };
const STAFF = { login: 'alice@hotel', password: 'demo' };

let serverDir: string;
let clientDir: string;
let rendererDir: string;
let server: RunningServer;
let port: number;
let client: BrowserClient;
let browser: Browser;
let page: Page;
let customer: { ws: WsClient; inbox: InboxReader } | null = null;
let lineId = '';

async function startImServer(): Promise<RunningServer> {
  return startServer({ dataDir: serverDir, demo: true, port, logger: false });
}

function startClient(): Promise<BrowserClient> {
  return startBrowserClient({
    dataDir: clientDir,
    rendererDir,
    serverUrl: { url: server.url, locked: false },
    ports: { notifier: new RecordingNotifier(), links: new RecordingLinkOpener() },
    // Seconds, not the production 5–20 s, between reconnection attempts: the test waits for them.
    config: { reconnect: { fastMinMs: 200, fastMaxMs: 500, promptMinMs: 50, promptMaxMs: 100 } },
  });
}

async function connectCustomer(): Promise<{ ws: WsClient; inbox: InboxReader }> {
  const device = `e2e-customer-${process.pid}`;
  const { token } = await signIn(server.url, CUSTOMER.login, TEST_PASSWORD, device);
  const ws = await WsClient.connect(server.url, { token, device_id: device });
  const inbox = new InboxReader(ws);
  await inbox.start();
  return { ws, inbox };
}

async function closeCustomer(): Promise<void> {
  if (!customer) return;
  await customer.inbox.stop();
  await customer.ws.close();
  customer = null;
}

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const row = (text: string) => page.locator('[data-line-id]', { hasText: text });
const composer = () => page.locator('#composer-input');
const customerTexts = () =>
  customer!.inbox.messages().map((e) => (e.message.content.type === 'text' ? e.message.content.text : ''));

describe.skipIf(skipReason !== null)('workspace in Chromium against the real server', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    serverDir = mkdtempSync(join(tmpdir(), 'e2e-server-'));
    clientDir = mkdtempSync(join(tmpdir(), 'e2e-client-'));
    [rendererDir, server] = await Promise.all([
      buildRendererOnce(),
      startServer({ dataDir: serverDir, demo: true, port: 0, logger: false }),
    ]);
    port = server.port;
    await createAccount(
      server.store,
      { account: CUSTOMER.login, password: TEST_PASSWORD, role: 'customer', display_name: CUSTOMER.name },
      { cost: TEST_PASSWORD_COST },
    );
    client = await startClient();
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => console.error('[page error]', err));
    await page.goto(client.url);
  }, 120_000);

  afterAll(async () => {
    await closeCustomer().catch(() => undefined);
    await browser?.close();
    await client?.close();
    await server?.close().catch(() => undefined);
    for (const dir of [serverDir, clientDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('signs in, explaining a wrong password and an unreachable server', async () => {
    await page.getByLabel('Server address').waitFor();
    expect(await page.getByLabel('Server address').inputValue()).toBe(server.url);
    await shot('sign-in.en');
    await page.getByLabel('Account').fill(STAFF.login);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong account or password.');
    await page.getByLabel('Server address').fill('http://127.0.0.1:9');
    await page.getByLabel('Password').fill(STAFF.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Cannot reach the server/);
    await page.getByLabel('Server address').fill(server.url);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await row('Emma Johnson').first().waitFor();
    expect(page.url()).not.toContain('#k='); // the launch key left the address bar
  });

  it('shows a customer message live, with an unread badge and the waiting time', async () => {
    customer = await connectCustomer();
    const sent = await customer.ws.request('send', {
      random_id: rid(),
      to: { object_id: 'room-twin-city', busi_type: 'consult' },
      content: { type: 'text', text: 'Hello, is the twin room free on Friday?' },
    });
    lineId = sent.line.line_id;
    const line = page.locator(`[data-line-id="${lineId}"]`);
    await line.waitFor();
    await expect.poll(() => line.locator('.unread-badge').textContent()).toBe('1');
    expect(await line.locator('.waiting').textContent()).toMatch(/^Waiting \d+m$/);
    // The server notes the assignment after the message, so the preview may show either.
    expect(await line.textContent()).toMatch(
      /Hello, is the twin room free on Friday\?|Alice Chen is now looking after this conversation/,
    );
    expect(await line.textContent()).toContain('Superior Twin, City View');
    // Sorted by activity: the new line is the first row.
    expect(await page.locator('[data-line-id]').first().getAttribute('data-line-id')).toBe(lineId);
    await shot('list.en');
  });

  it('opens the line and the reply reaches the customer', async () => {
    await page.locator(`[data-line-id="${lineId}"]`).click();
    await page.locator('.message', { hasText: 'twin room free' }).waitFor();
    await expect.poll(() => page.locator(`[data-line-id="${lineId}"] .unread-badge`).count()).toBe(0);
    await composer().fill('Yes, we have a twin room on Friday.');
    await composer().press('Enter');
    await customer!.inbox.waitFor(
      (e) =>
        e.kind === 'message' &&
        e.message.content.type === 'text' &&
        e.message.content.text === 'Yes, we have a twin room on Friday.',
      10_000,
    );
    await expect
      .poll(() => page.locator('.message.outgoing [data-state]').last().getAttribute('data-state'))
      .toMatch(/sent|read/);
    await shot('conversation.en');
  });

  it('shows an image the customer sends as a thumbnail fetched by the core; a click opens it full size', async () => {
    const { token } = await signIn(server.url, CUSTOMER.login, TEST_PASSWORD, `e2e-customer-upload-${process.pid}`);
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#264653' } })
      .jpeg()
      .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1' } })
      .toBuffer();
    const uploaded = await uploadImage(server.url, token, photo, { mime: 'image/jpeg' });
    if (!uploaded.ok) throw new Error(`upload refused: ${uploaded.error.code}`);
    await customer!.ws.request('send', {
      random_id: rid(),
      to: { object_id: 'room-twin-city', busi_type: 'consult' },
      content: uploaded.image,
    });
    const img = page.locator('.message img.bubble-image').last();
    await img.waitFor();
    // The bubble shows the server's thumbnail (520 px wide), never the 1600 px original.
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(520);
    expect(await img.getAttribute('src')).toMatch(/^blob:/);
    await img.click();
    const viewer = page.getByRole('dialog');
    const full = viewer.locator('img');
    await expect
      .poll(() => full.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: 10_000 })
      .toBe(1600);
    await shot('image-viewer.en');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
  });

  it('adds a quick reply in settings and sends it with its placeholders filled', async () => {
    await page.getByRole('button', { name: /Settings/ }).click();
    const form = page.locator('.quick-reply-form');
    await form.getByLabel('Title', { exact: true }).fill('Greeting');
    await form.getByLabel(/^Text/).fill('Hello {customer_name}, {staff_name} here about {object_title}.');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.locator('.quick-reply-list li', { hasText: 'Greeting' }).waitFor();
    await shot('settings.en');
    await page.getByRole('button', { name: /Inbox/ }).click();
    await page.getByRole('button', { name: 'Quick replies' }).click();
    await page.getByRole('menuitem', { name: /Greeting/ }).click();
    const expected = `Hello ${CUSTOMER.name}, Alice Chen here about Superior Twin, City View 城景高级双床房.`;
    expect(await composer().inputValue()).toBe(expected);
    await composer().press('Enter');
    await customer!.inbox.waitFor(
      (e) => e.kind === 'message' && e.message.content.type === 'text' && e.message.content.text === expected,
      10_000,
    );
  });

  it('transfers the line to a colleague', async () => {
    await page.getByRole('button', { name: 'Transfer' }).click();
    await page.getByRole('menuitem', { name: /Bob Wang/ }).click();
    await expect.poll(() => page.locator('.line-header .assignee').textContent()).toContain('Bob Wang');
    await page
      .locator('.message.notice', { hasText: 'Alice Chen transferred this conversation to Bob Wang' })
      .waitFor();
    const bob = await server.store.findAccountByLogin('bob@hotel');
    expect((await server.store.getLine(lineId))?.assignee).toBe(bob?.uid);
  });

  it('finds an old message and opens it in its conversation', async () => {
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('search-input');
    await page.keyboard.type('air conditioning');
    await page.keyboard.press('Enter');
    const hit = page.locator('.search-hit', { hasText: 'air conditioning' });
    await hit.first().click();
    await page.locator('.message.highlighted', { hasText: 'air conditioning in room 1203' }).waitFor();
    expect(await page.locator('.line-header h2').textContent()).toBe('Liam Smith');
    await page.getByRole('button', { name: 'Close search' }).click();
  });

  it('keeps sending while the server is down, and delivers exactly once after it returns', async () => {
    await page.locator(`[data-line-id="${lineId}"]`).click();
    await closeCustomer();
    await server.kill();
    await page.locator('[data-banner]').waitFor();
    expect(await page.locator('[data-banner]').getAttribute('data-banner')).toMatch(/backoff|connecting|offline/);
    const text = `Sent while offline ${Date.now()}`;
    await composer().fill(text);
    await composer().press('Enter');
    await expect
      .poll(() => page.locator('.message', { hasText: text }).locator('[data-state]').getAttribute('data-state'))
      .toBe('sending');
    // An image waits in the outbox too, shown at once from the local copy.
    const picture = await sharp({ create: { width: 90, height: 60, channels: 3, background: '#e9c46a' } })
      .png()
      .toBuffer();
    await page
      .locator('input[type="file"]')
      .first()
      .setInputFiles({ name: 'map.png', mimeType: 'image/png', buffer: picture });
    const queued = page.locator('.message.outgoing').last();
    await expect.poll(() => queued.locator('[data-state]').getAttribute('data-state')).toBe('sending');
    await expect
      .poll(() => queued.locator('img.bubble-image').evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth))
      .toBe(90);
    server = await startImServer();
    await page.locator('[data-banner]').waitFor({ state: 'detached', timeout: 20_000 });
    await expect
      .poll(() => page.locator('.message', { hasText: text }).locator('[data-state]').getAttribute('data-state'), {
        timeout: 15_000,
      })
      .toMatch(/sent|read/);
    customer = await connectCustomer();
    await customer.inbox.waitFor(
      (e) => e.kind === 'message' && e.message.content.type === 'text' && e.message.content.text === text,
      10_000,
    );
    expect(customerTexts().filter((t) => t === text)).toHaveLength(1);
    expect(await page.locator('.message', { hasText: text }).count()).toBe(1);
    const images = () => customer!.inbox.messages().filter((e) => e.message.content.type === 'image');
    await expect.poll(() => images().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const sent = images().at(-1)!.message.content as { width: number; height: number; url: string };
    expect([sent.width, sent.height]).toEqual([90, 60]);
    expect(images().filter((e) => (e.message.content as { url: string }).url === sent.url)).toHaveLength(1);
  });

  it('switches to Simplified Chinese at run time (screenshots of every page)', async () => {
    await page.getByRole('button', { name: /Settings/ }).click();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('heading', { name: '设置', level: 1 }).waitFor();
    await shot('settings.zh-CN');
    await page.getByRole('button', { name: /消息/ }).click();
    await page.locator('.line-header').waitFor();
    await shot('conversation.zh-CN');
    await page.locator('.line-count', { hasText: '个会话' }).waitFor();
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('button', { name: '登录', exact: true }).waitFor();
    await shot('sign-in.zh-CN');
    await page.getByLabel('账号').fill(STAFF.login);
    await page.getByLabel('密码').fill(STAFF.password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await row('Emma Johnson').first().waitFor();
    await shot('list.zh-CN');
  });

  it('keeps the session and the language across a restart of the client', async () => {
    await client.close();
    client = await startClient();
    await page.goto(client.url);
    await row('Emma Johnson').first().waitFor();
    await page.locator('.line-count', { hasText: '个会话' }).waitFor();
    expect(await page.getByRole('button', { name: '登录', exact: true }).count()).toBe(0);
  });
});
