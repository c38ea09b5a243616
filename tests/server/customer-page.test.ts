import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src-server';
import { chromiumUnavailable, launchChromium, type Browser } from '../e2e/support/chromium';
import { uploadImage } from '../support/media';
import { InboxReader, WsClient, signIn } from '../support/protocol-client';
import { TEST_PASSWORD_COST, rid, startTestServer, type TestServer } from '../support/test-server';

/** A person plays the customer in a real browser, over long-polling, against a staff member on WebSocket. */
const skip = chromiumUnavailable();
let t: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (skip) return;
  t = await startTestServer();
  await seedDemo(t.server.store, { cost: TEST_PASSWORD_COST });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe.skipIf(skip !== null)('customer page /customer/', () => {
  it('signs in, asks about a product, receives the reply as plain text and a photo as a thumbnail, sends a photo', async () => {
    const { token } = await signIn(t.url, 'alice@hotel', 'demo', 'alice-desk');
    const alice = t.track(await WsClient.connect(t.url, { token, device_id: 'alice-desk' }));
    const aliceInbox = t.track(new InboxReader(alice, (await alice.request('sync', { cursor: null })).next));
    await aliceInbox.start();

    const page = await browser.context.newPage();
    await page.goto(`${t.url}/customer`);
    await page.bringToFront(); // read receipts are sent only while the page has focus
    await page.fill('#account', 'sofia');
    await page.fill('#password', 'demo');
    await page.click('button[type=submit]');
    await page.getByText('Superior Twin, City View', { exact: false }).click();
    await page.fill('#text', 'Is the twin room quiet at night?');
    await page.press('#text', 'Enter');

    const asked = await aliceInbox.waitFor(
      (e) =>
        e.kind === 'message' &&
        e.message.content.type === 'text' &&
        e.message.content.text === 'Is the twin room quiet at night?',
      10_000,
    );
    const lineId = asked.kind === 'message' ? asked.line.line_id : '';
    expect(asked.kind === 'message' && asked.line.assignee).toBe(alice.welcome!.user.uid);

    const hostile = '<img src=x onerror="document.title=\'pwned\'"> Yes, very quiet <b>really</b>';
    await alice.request('send', { random_id: rid(), line_id: lineId, content: { type: 'text', text: hostile } });
    await page.getByText('Yes, very quiet', { exact: false }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#messages img').count()).toBe(0);
    expect(await page.locator('#messages b').count()).toBe(0);
    expect(await page.locator('#messages').textContent()).toContain(hostile);
    expect(await page.title()).not.toBe('pwned');

    // The staff side sees the page's read receipt.
    await aliceInbox.waitFor((e) => e.kind === 'read' && e.line_id === lineId, 10_000);

    // A room photo: the page shows the server's thumbnail, linked to the full image.
    const photo = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#8ab17d' } })
      .jpeg()
      .toBuffer();
    const up = await uploadImage(t.url, token, photo, { mime: 'image/jpeg' });
    if (!up.ok) throw new Error(`upload refused: ${up.error.code}`);
    await alice.request('send', { random_id: rid(), line_id: lineId, content: up.image });
    const img = page.locator('#messages img.photo');
    await img.waitFor({ timeout: 10_000 });
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(520);
    expect([await img.getAttribute('width'), await img.getAttribute('height')]).toEqual(['240', '180']);
    expect(await page.locator('#messages a:has(img.photo)').getAttribute('href')).toMatch(
      new RegExp(`^${up.image.url.replace(/[.]/g, '\\.')}\\?access_token=`),
    );
    expect(await page.locator('#messages img:not(.photo)').count()).toBe(0);

    // The customer sends a photo of a booking: alice receives it, without the phone's EXIF and GPS.
    const booking = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#f4a261' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'PocketPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1' } })
      .toBuffer();
    await page.locator('#photo').setInputFiles({ name: 'booking.jpg', mimeType: 'image/jpeg', buffer: booking });
    const received = await aliceInbox.waitFor(
      (e) => e.kind === 'message' && e.message.content.type === 'image' && e.message.sender !== alice.welcome!.user.uid,
      10_000,
    );
    const image = received.kind === 'message' ? (received.message.content as { url: string; width: number }) : null;
    expect(image?.width).toBe(800);
    const stored = await fetch(`${t.url}${image!.url}`, { headers: { authorization: `Bearer ${token}` } });
    const bytes = Buffer.from(await stored.arrayBuffer());
    expect([stored.status, bytes.includes('PocketPhone')]).toEqual([200, false]);
    await expect.poll(() => page.locator('#messages img.photo').count()).toBe(2);
    expect(await page.locator('#compose-error').textContent()).toBe('');
    await page.close();
  });
});
