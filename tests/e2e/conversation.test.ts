import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../src-main/web/host';
import { chromiumUnavailable, launchChromium, type Browser } from './support/chromium';
import { fakeCoreScript } from './support/fake-core-bundle';
import { buildRendererOnce } from './support/renderer-build';

/**
 * The conversation view's virtualised history in a real browser (layout matters here, so jsdom
 * cannot tell): opens at the newest message, loads older pages when scrolled to the top while the
 * message under the reader's eye stays put, and stays pinned to the bottom for new messages.
 */
const skipReason = chromiumUnavailable();

let rendererDir: string;
let host: WebHost;
let browser: Browser;
let page: Page;

const list = () => page.locator('.message-list');
/** Top of an element relative to the history viewport, in px. */
const offsetInList = (selector: string) =>
  page.evaluate((sel) => {
    const box = document.querySelector('.message-list')!.getBoundingClientRect();
    const el = document.querySelector(sel);
    return el ? el.getBoundingClientRect().top - box.top : null;
  }, selector);

describe.skipIf(skipReason !== null)('conversation history in Chromium', () => {
  beforeAll(async () => {
    const fakeCore = await fakeCoreScript();
    rendererDir = await buildRendererOnce();
    host = await startWebHost({
      target: { call: () => Promise.resolve({ ok: true, result: {} }), subscribe: () => () => undefined },
      rendererDir,
    });
    browser = await launchChromium({ viewport: { width: 1200, height: 760 } });
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    await page.addInitScript({ content: fakeCore });
    await page.goto(`${host.origin}/index.html`);
    await page.locator('[data-line-id="L1"]').click();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('opens at the newest message with only a window of the history in the DOM', async () => {
    const last = page.locator('.message[data-key="1299"]');
    await last.waitFor();
    const viewport = (await list().boundingBox())!;
    const box = (await last.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.y + viewport.height + 1);
    expect(box.y).toBeGreaterThan(viewport.y);
    expect(await page.locator('.message').count()).toBeLessThan(60);
  });

  it('loads older pages at the top without moving the message being read', async () => {
    await page.evaluate(() => (window.__fake.holdHistory = true));
    const beginning = page.locator('.history-top', { hasText: 'Beginning of the conversation' });
    let anchored = 0;
    for (let n = 0; n < 10; n++) {
      // On a loaded machine the previous page may still be settling (rows measured, view anchored,
      // or the "beginning" label not yet drawn) when a scroll lands: scroll again until the list
      // asks for the next page or shows that there is none.
      const next = async (): Promise<'asked' | 'beginning' | null> => {
        if ((await page.evaluate(() => window.__fake.heldCount())) === 1) return 'asked';
        if (await beginning.isVisible()) return 'beginning';
        await list().evaluate((el) => el.scrollTo({ top: 0 }));
        return null;
      };
      let state: 'asked' | 'beginning' | null = null;
      await expect.poll(async () => (state = await next()), { timeout: 5_000 }).not.toBeNull();
      if (state === 'beginning') break;
      // The reader is at the top, looking at the oldest loaded message; now the older page lands.
      const anchorKey = await page.evaluate(() => {
        const view = document.querySelector('.message-list')!;
        const top = view.getBoundingClientRect().top;
        return [...view.querySelectorAll<HTMLElement>('.message-slot')].find(
          (m) => m.getBoundingClientRect().top >= top - 1,
        )!.dataset.key!;
      });
      const before = await offsetInList(`.message-slot[data-key="${anchorKey}"]`);
      const status = page.locator('.history-status', { hasText: 'Loading earlier messages' });
      await status.waitFor();
      await page.evaluate(() => window.__fake.release());
      await status.waitFor({ state: 'detached' });
      await page.waitForTimeout(100); // let the new rows be measured
      const after = await offsetInList(`.message-slot[data-key="${anchorKey}"]`);
      expect(after).not.toBeNull();
      expect(Math.abs(after! - before!)).toBeLessThan(2);
      anchored++;
    }
    expect(anchored).toBeGreaterThanOrEqual(2);
    await page.evaluate(() => {
      window.__fake.holdHistory = false;
      window.__fake.release();
    });
    await list().evaluate((el) => el.scrollTo({ top: 0 }));
    await page.locator('.history-top', { hasText: 'Beginning of the conversation' }).waitFor();
    await page.locator('.message[data-key="1000"]').waitFor();
    expect(await page.locator('.day-separator').count()).toBeGreaterThan(0);
    expect(await page.locator('.message').count()).toBeLessThan(60);
  });

  it('stays pinned to the bottom for a new message only when the reader is at the bottom', async () => {
    await list().evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.waitForTimeout(100);
    await list().evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.evaluate(() => {
      const m = window.__fake.state.history.L1![299]!;
      window.__fake.emit('message.new', {
        ...m,
        message_id: '5000',
        key: '5000',
        ts: m.ts + 1000,
        content: { type: 'text', text: 'Brand new <b>message</b>' },
      });
    });
    const fresh = page.locator('.message[data-key="5000"]');
    await fresh.waitFor();
    await expect
      .poll(async () => {
        const v = (await list().boundingBox())!;
        const b = (await fresh.boundingBox())!;
        return b.y + b.height <= v.y + v.height + 1 && b.y >= v.y;
      })
      .toBe(true);
    expect(await fresh.textContent()).toContain('Brand new <b>message</b>');
  });

  it('scales down a photo too large to send, upright, as JPEG, instead of refusing it', async () => {
    const sent = () =>
      page.evaluate(() => {
        const last = window.__fake.callsOf('message.sendImage').at(-1);
        return last ? { ...last, data_base64: last.data_base64.length } : null;
      });
    // A 48-megapixel phone photo, turned by its EXIF orientation.
    const photo = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#457b9d' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    await page
      .locator('input[type="file"]')
      .first()
      .setInputFiles({ name: 'IMG_0042.JPG', mimeType: 'image/jpeg', buffer: photo });
    await expect
      .poll(sent, { timeout: 20_000 })
      .toMatchObject({ name: 'IMG_0042.jpg', mime: 'image/jpeg', width: 3072, height: 4096 });
    // Noise that stays over 8 MiB as PNG: sent as a JPEG under the limit, at full size.
    const noise = Buffer.alloc(2400 * 1800 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const png = await sharp(noise, { raw: { width: 2400, height: 1800, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(png.length).toBeGreaterThan(8 * 1024 * 1024);
    await page
      .locator('input[type="file"]')
      .first()
      .setInputFiles({ name: 'scan.png', mimeType: 'image/png', buffer: png });
    await expect
      .poll(sent, { timeout: 20_000 })
      .toMatchObject({ name: 'scan.jpg', mime: 'image/jpeg', width: 2400, height: 1800 });
    expect(((await sent())!.data_base64 * 3) / 4).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});
