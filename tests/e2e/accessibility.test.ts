import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AxeResults, NodeResult, Result } from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeState } from '../renderer/support/fakeApi';
import { makeLine, makeMessage, ME, NOW, SETTINGS, SIGNED_IN } from '../renderer/support/fixtures';
import { startWebHost, type WebHost } from '../../src-main/web/host';
import type { Language } from '../../src-renderer/i18n';
import { chromiumUnavailable, launchChromium, type Browser } from './support/chromium';
import { fakeCoreScript } from './support/fake-core-bundle';
import { buildRendererOnce } from './support/renderer-build';

/**
 * An accessibility audit of every screen of the renderer, in English and Chinese: axe-core checks
 * WCAG 2.1 A/AA rules in Chromium (layout and colours matter, so jsdom cannot tell), and the Tab
 * key must reach every control with a visible focus ring. Merchant staff use the app all day, some
 * with screen readers, keyboard only or high zoom. The core is a fake, seeded with one line that
 * shows every kind of message; the steps of each language share one page, in order.
 */
const SHOTS = join(process.cwd(), 'test-results', 'screenshots');
const skipReason = chromiumUnavailable();
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

declare global {
  interface Window {
    axe: { run(context: Document, options: { runOnly: string[] }): Promise<AxeResults> };
    __tabbed?: WeakSet<Element>;
  }
}

const MEDIA_URL = `/v1/media/${'ab'.repeat(32)}.png`;

/** One line that has every kind of message the history can show, and a few others around it. */
function scenario(language: Language): Partial<FakeState> {
  const msg = (n: number, over: Parameters<typeof makeMessage>[1]) =>
    makeMessage('L1', { message_id: `A${n}`, key: `A${n}`, ts: NOW - (10 - n) * 60_000, ...over });
  const history = [
    msg(1, { content: { type: 'system', code: 'line.assigned', text: '', params: { staff_name: ME.display_name } } }),
    msg(2, { content: { type: 'text', text: 'Is the sea-view room free on Friday? https://example.com/room' } }),
    msg(3, { content: { type: 'image', url: MEDIA_URL, mime: 'image/png', width: 640, height: 480 } }),
    msg(4, {
      sender: ME.uid,
      sender_role: 'staff',
      content: {
        type: 'card',
        card_kind: 'room',
        object_id: 'o1',
        title: 'Sea-view double room',
        subtitle: 'Breakfast included',
        price: { amount: 68_000, currency: 'CNY' },
      },
    }),
    msg(5, { sender: ME.uid, sender_role: 'staff', state: 'read', content: { type: 'text', text: 'Yes, it is.' } }),
    makeMessage('L1', {
      message_id: null,
      random_id: 'lx0001-failedfailedfail',
      sender: ME.uid,
      sender_role: 'staff',
      state: 'failed',
      ts: NOW - 60_000,
      error: { code: 'NETWORK', message: 'offline', temporary: true, retry_after_ms: null },
      content: { type: 'text', text: 'Shall I book the room for you?' },
    }),
  ];
  return {
    session: { ...SIGNED_IN, signed_in: false },
    settings: { ...SETTINGS, language },
    lines: [
      makeLine(1, {
        customer_name: 'Anna Weber',
        unread: 2,
        waiting_since: NOW - 5 * 60_000,
        last_message: history[2]!,
        last_message_at: NOW - 60_000,
      }),
      makeLine(2, { unread: 1, muted: true, status: 'pending' }),
      makeLine(3, { status: 'resolved' }),
      makeLine(4),
    ],
    history: { L1: history },
    staff: [
      { uid: ME.uid, display_name: ME.display_name, online: true, open_lines: 3, capacity: 10 },
      { uid: 's3', display_name: 'Zhao Min', online: true, open_lines: 1, capacity: 8 },
      { uid: 's4', display_name: 'Chen Jie', online: false, open_lines: 0, capacity: 8 },
    ],
    quickReplies: [
      { id: 'q1', title: 'Greeting', text: 'Hello {customer_name}, how can I help?' },
      { id: 'q2', title: 'Check-in', text: 'Check-in is from 14:00.' },
    ],
  };
}

/** A node of a violation: where, and for contrast the colours axe measured. */
const describeNode = (n: NodeResult) => {
  const data = n.any[0]?.data as { fgColor?: string; bgColor?: string; contrastRatio?: number } | undefined;
  const colours = data?.contrastRatio ? ` (${data.fgColor} on ${data.bgColor}: ${data.contrastRatio})` : '';
  return `${n.target.join(' ')}${colours}`;
};
const describeResult = (v: Result) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map(describeNode).join(' | ')}`;

/** Runs axe on the page as it stands: serious and critical violations fail, the rest are listed. */
async function audit(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate((runOnly) => window.axe.run(document, { runOnly }), WCAG_21_AA);
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const others = results.violations.filter((v) => !blocking.includes(v));
  if (others.length) console.log(`[a11y] ${screen}: ${others.map(describeResult).join('\n  ')}`);
  expect(blocking.map(describeResult), screen).toEqual([]);
}

/** What has focus, and whether the eye can see it there (an outline or a box-shadow). */
function focusNow(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const seen = (window.__tabbed ??= new WeakSet());
    const again = seen.has(el);
    seen.add(el);
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow !== 'none';
    const label = (el.getAttribute('aria-label') ?? el.getAttribute('name') ?? el.textContent ?? '').slice(0, 30);
    const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
    return { name: `${name} "${label}"`, visible: outline || ring, again };
  });
}

/**
 * Tabs round the whole page (past its end focus leaves for the browser, then comes back to the
 * top) until a control comes round again; every stop must show its focus.
 */
async function tabStops(page: Page, max = 80): Promise<string[]> {
  await page.evaluate(() => (window.__tabbed = new WeakSet()));
  const stops: string[] = [];
  let outside = 0;
  for (let i = 0; i < max && outside < 3; i++) {
    await page.keyboard.press('Tab');
    const stop = await focusNow(page);
    if (!stop) {
      outside++;
      continue;
    }
    if (stop.again) break;
    expect(stop.visible, `focus is visible on ${stop.name}`).toBe(true);
    stops.push(stop.name);
  }
  return stops;
}

const activeText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? '');

/** Opens a menu from its button with Enter: focus lands on the first item and the arrows move it. */
async function menuByKeyboard(page: Page, button: string, menu: string): Promise<void> {
  await page.locator(button).focus();
  await page.keyboard.press('Enter');
  const items = page.locator(`${menu} [role="menuitem"]`);
  await items.first().waitFor();
  await expect.poll(() => activeText(page)).toBe(await items.first().textContent());
  await page.keyboard.press('ArrowDown');
  expect(await activeText(page)).toBe(await items.nth(1).textContent());
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  expect(await activeText(page)).toBe(await items.last().textContent());
}

async function closeMenuByKeyboard(page: Page, button: string, menu: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator(menu).waitFor({ state: 'detached' });
  expect(await page.evaluate((sel) => document.activeElement === document.querySelector(sel), button)).toBe(true);
}

const hasFocus = (page: Page, selector: string) =>
  page.evaluate((sel) => document.activeElement === document.querySelector(sel), selector);

/** A modal dialog has focus on open, and Tab and Shift+Tab, however often, keep it there. */
async function tabStaysIn(page: Page, dialog: string): Promise<void> {
  const inside = () =>
    page.evaluate((sel) => document.querySelector(sel)?.contains(document.activeElement) ?? false, dialog);
  expect(await inside(), `${dialog} has focus on open`).toBe(true);
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect(await inside(), `${key} stays in ${dialog}`).toBe(true);
  }
}

let rendererDir: string;
let fakeCore: string;
let host: WebHost;
let browser: Browser;

describe.skipIf(skipReason !== null)('accessibility of the renderer in Chromium (axe, WCAG 2.1 AA)', () => {
  beforeAll(async () => {
    fakeCore = await fakeCoreScript();
    rendererDir = await buildRendererOnce();
    host = await startWebHost({
      target: { call: () => Promise.resolve({ ok: true, result: {} }), subscribe: () => () => undefined },
      rendererDir,
    });
    browser = await launchChromium({ viewport: { width: 1200, height: 760 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  describe.each(['en', 'zh-CN'] as const)('in %s', (language) => {
    let page: Page;

    beforeAll(async () => {
      page = await browser.context.newPage();
      page.setDefaultTimeout(10_000);
      // axe is injected as a script tag, which the renderer's own CSP rightly refuses.
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Page.setBypassCSP', { enabled: true });
      await page.addInitScript({ content: fakeCore });
      await page.addInitScript((state) => Object.assign(window.__fake.state, state), scenario(language));
      await page.goto(`${host.origin}/index.html`);
    }, 30_000);

    afterAll(async () => {
      await page?.close();
    });

    it('sign-in: empty, then with an error, all by keyboard', async () => {
      await page.locator('.sign-in-form').waitFor();
      await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(language);
      await audit(page, `${language} sign-in`);
      const stops = await tabStops(page);
      expect(stops.length).toBeGreaterThanOrEqual(4); // server, account, password, submit
      await page.evaluate(() => {
        window.__fake.failures['session.signIn'] = {
          code: 'BAD_CREDENTIALS',
          message: 'no',
          temporary: false,
          retry_after_ms: null,
        };
      });
      await page.locator('input[name="account"]').focus();
      await page.keyboard.type('alice@hotel');
      await page.keyboard.press('Tab');
      await page.keyboard.type('wrong');
      await page.keyboard.press('Enter');
      await page.locator('.sign-in-error').waitFor();
      await audit(page, `${language} sign-in error`);
      await page.evaluate(() => delete window.__fake.failures['session.signIn']);
      await page.keyboard.press('Enter');
      await page.locator('.workspace').waitFor();
    });

    it('workspace with an open conversation, reachable by Tab', async () => {
      await page.locator('[data-line-id="L1"]').click();
      await page.locator('.message.state-failed').waitFor();
      await page.locator('.bubble-image-open img').waitFor();
      await audit(page, `${language} workspace`);
      const stops = await tabStops(page);
      expect(stops).toContainEqual(expect.stringMatching(/^#search-input/));
      expect(stops).toContainEqual(expect.stringMatching(/^div\.line-list/));
      expect(stops).toContainEqual(expect.stringMatching(/^#composer-input/));
      expect(stops).toContainEqual(expect.stringMatching(/^button\.bubble-image-open/));
    });

    it('the list moves its selection with the arrows and tells assistive technology which line it is on', async () => {
      const list = page.locator('.line-list');
      await list.focus();
      expect(await list.getAttribute('aria-activedescendant')).toBe('line-row-L1');
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => list.getAttribute('aria-activedescendant')).toBe('line-row-L2');
      expect(await page.locator('#line-row-L2').getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('ArrowUp');
      await expect.poll(() => list.getAttribute('aria-activedescendant')).toBe('line-row-L1');
      await page.locator('.message.state-failed').waitFor();
    });

    it('quick-reply picker open, arrows move, Escape closes', async () => {
      await menuByKeyboard(page, '.composer-tools button[aria-haspopup]', '.quick-reply-picker [role="menu"]');
      await audit(page, `${language} quick replies`);
      await closeMenuByKeyboard(page, '.composer-tools button[aria-haspopup]', '.quick-reply-picker');
    });

    it('line actions menu open, arrows move, Escape closes', async () => {
      await menuByKeyboard(page, '.transfer > button', '.transfer-menu');
      await audit(page, `${language} line actions`);
      await closeMenuByKeyboard(page, '.transfer > button', '.transfer-menu');
    });

    it('search results', async () => {
      await page.keyboard.press('Control+K');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('search-input');
      await page.keyboard.type('room');
      await page.keyboard.press('Enter');
      await page.locator('.search-hit').first().waitFor();
      await audit(page, `${language} search`);
      await page.keyboard.press('Escape');
      await page.locator('.line-list').waitFor();
    });

    it('keyboard help overlay: modal, focus back on Escape', async () => {
      await page.locator('.line-list').focus();
      await page.keyboard.press('?');
      await page.locator('.overlay[role="dialog"]').waitFor();
      await audit(page, `${language} help`);
      await tabStaysIn(page, '.overlay[role="dialog"]');
      await page.keyboard.press('Escape');
      await page.locator('.overlay').waitFor({ state: 'detached' });
      expect(await hasFocus(page, '.line-list')).toBe(true);
    });

    it('image viewer dialog: modal, focus back on Escape', async () => {
      await page.locator('.bubble-image-open').focus();
      await page.keyboard.press('Enter');
      await page.locator('.image-viewer img').waitFor();
      await audit(page, `${language} image viewer`);
      await tabStaysIn(page, '.image-viewer');
      await page.keyboard.press('Escape');
      await page.locator('.image-viewer').waitFor({ state: 'detached' });
      expect(await hasFocus(page, '.bubble-image-open')).toBe(true);
    });

    it('offline connection banner', async () => {
      await page.evaluate(() =>
        window.__fake.emit('channel.state', {
          status: 'offline',
          transport: null,
          retry_at: null,
          last_error: null,
          since: Date.now(),
        }),
      );
      await page.locator('.connection-banner.banner-offline').waitFor();
      await audit(page, `${language} offline`);
    });

    it('settings with diagnostics', async () => {
      await page.locator('.sidebar button').nth(1).focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid="diag-status"]').waitFor();
      await audit(page, `${language} settings`);
      expect((await tabStops(page)).length).toBeGreaterThan(10);
    });

    it('a narrow window (a small laptop at 200 % scaling) shows the list or the line, never scrolls sideways', async () => {
      const sideways = () =>
        page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
      await page.setViewportSize({ width: 640, height: 760 });
      try {
        await page.locator('.sidebar button').first().click();
        await page.evaluate(() =>
          window.__fake.emit('channel.state', {
            status: 'online',
            transport: 'ws',
            retry_at: null,
            last_error: null,
            since: Date.now(),
          }),
        );
        const list = page.locator('.list-column');
        const conversation = page.locator('.conversation');
        const back = page.locator('.line-back');
        // A line is still open from before: it fills the window, with a way back to the list.
        await conversation.waitFor();
        expect([await list.isVisible(), await back.isVisible(), await sideways()]).toEqual([false, true, false]);
        await audit(page, `${language} narrow conversation`);
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, `narrow.${language}.png`) });
        await back.click();
        await list.waitFor();
        expect([await conversation.isVisible(), await sideways()]).toEqual([false, false]);
        // The sidebar keeps its names for assistive technology while showing icons only.
        expect(await page.getByRole('button', { name: language === 'en' ? 'Settings' : '设置' }).isVisible()).toBe(
          true,
        );
        await audit(page, `${language} narrow list`);
        await page.locator('[data-line-id="L1"]').click();
        await conversation.waitFor();
        expect(await list.isVisible()).toBe(false);
      } finally {
        await page.setViewportSize({ width: 1200, height: 760 });
      }
    });
  });
});
