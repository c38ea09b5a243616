import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { LocalMessage } from '../../src-shared/ipc';
import { TEST_PASSWORD, rid } from '../support/test-server';
import { waitFor } from './helpers';
import { expectConverged, liveFixtures, type CoreHandle } from './live-helpers';
import { TcpProxy } from './tcp-proxy';

const base64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/**
 * Images wait in the outbox like text (message.sendImage): shown at once, kept across a restart,
 * uploaded and sent in their turn once the server is reachable, each delivered once.
 */
describe('images in the outbox, against the real server', () => {
  const live = liveFixtures();

  async function setup() {
    const w = await live.world();
    const proxy = await TcpProxy.start(w.t.server.port);
    live.defer(() => proxy.close());
    const { line_id } = await w.customerSays('can I see the room?');
    return { w, proxy, line_id };
  }

  async function signedIn(h: CoreHandle, url: string): Promise<void> {
    await h.core.invoke('session.signIn', { server_url: url, account: 'alice', password: TEST_PASSWORD });
    await waitFor(() => h.core.runtime?.channel.state().status === 'online', 5_000, 'online');
  }

  const photo = (colour: string) =>
    sharp({ create: { width: 64, height: 48, channels: 3, background: colour } })
      .png()
      .toBuffer();

  const sendImage = (
    h: CoreHandle,
    lineId: string,
    bytes: Buffer,
    name: string,
    mime: 'image/png' | 'image/jpeg' = 'image/png',
  ): Promise<LocalMessage> =>
    h.core.invoke('message.sendImage', {
      line_id: lineId,
      name,
      mime,
      data_base64: base64(bytes),
      width: 64,
      height: 48,
    });

  it('sent offline: shown at once from the local copy, kept across a restart, delivered once in order when back', async () => {
    const { w, proxy, line_id } = await setup();
    const first = live.core();
    await signedIn(first, proxy.url);
    proxy.refuse = true;
    proxy.cutAll();
    await waitFor(() => first.core.runtime!.channel.state().status !== 'online', 5_000, 'offline');

    const images = [await photo('#e76f51'), await photo('#2a9d8f')];
    const echo = await sendImage(first, line_id, images[0]!, 'room.png');
    expect([echo.state, echo.content.type]).toEqual(['sending', 'image']);
    // The bubble can show it now, offline, from what the core kept.
    const shown = await first.core.invoke('media.get', { url: (echo.content as { url: string }).url });
    expect(Buffer.from(shown.data_base64, 'base64').equals(images[0]!)).toBe(true);
    const text = await first.core.invoke('message.send', { line_id, content: { type: 'text', text: 'and the view' } });
    const second = await sendImage(first, line_id, images[1]!, 'view.png');
    await first.core.dispose();

    const again = live.core(first.dataDir);
    await again.core.start();
    expect(again.core.runtime!.store.outbox().map((o) => o.random_id)).toEqual(
      [echo, text, second].map((m) => m.random_id),
    );
    proxy.refuse = false;
    await expectConverged(again, w.t, w.staff);

    const mine = again.core
      .runtime!.store.allMessages(line_id)
      .filter((m) => m.sender === w.staff.uid && m.content.type !== 'system');
    expect(mine.map((m) => [m.random_id, m.state, m.content.type])).toEqual([
      [echo.random_id, 'sent', 'image'],
      [text.random_id, 'sent', 'text'],
      [second.random_id, 'sent', 'image'],
    ]);
    // What the customer gets names the server's copy, with the size the server read.
    const delivered = mine[0]!.content as { url: string; width: number; height: number };
    expect([delivered.width, delivered.height]).toEqual([64, 48]);
    const res = await fetch(`${w.t.url}${delivered.url}`, {
      headers: { authorization: `Bearer ${(await w.t.connectHttp('emma')).token}` },
    });
    expect(Buffer.from(await res.arrayBuffer()).equals(images[0]!)).toBe(true);
    // The local bytes went once the server had them.
    expect([echo, second].map((m) => again.core.runtime!.store.pendingUpload(m.random_id!))).toEqual([null, null]);
  });

  it('an image uploaded but then refused with its line keeps naming the server copy, so a retry sends that', async () => {
    const { w, proxy } = await setup();
    const h = live.core();
    await signedIn(h, proxy.url);
    // A line this staff member may not write to: the upload succeeds, the send is refused.
    const stranger = await w.t.addCustomer('stranger');
    await w.t.addMerchant('m2', 'Other Hotel');
    await w.t.addObject({ object_id: 'other-room', kind: 'room', merchant_id: 'm2' });
    const ws = await w.t.connectWs('stranger');
    const { line } = await ws.request('send', {
      random_id: rid(),
      to: { object_id: 'other-room', busi_type: 'consult' },
      content: { type: 'text', text: 'hello other hotel' },
    });
    expect(stranger.uid).toBe(line.uid);
    // With EXIF, so the server's copy (metadata removed) has another name than the local one.
    const withExif = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#264653' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'PocketPhone' } })
      .toBuffer();
    const echo = await sendImage(h, line.line_id, withExif, 'room.jpg', 'image/jpeg');
    const failedOnce = await waitFor(
      () => (h.core.runtime!.store.messageByRandomId(echo.random_id!)?.state === 'failed' ? true : null),
      5_000,
      'refused',
    );
    expect(failedOnce).toBe(true);
    const stored = () => h.core.runtime!.store.messageByRandomId(echo.random_id!)!;
    const first = stored();
    expect(first.error?.code).not.toBe('INVALID_ARGUMENT');
    expect((first.content as { url: string }).url).not.toBe((echo.content as { url: string }).url);
    await h.core.invoke('message.retry', { random_id: echo.random_id! });
    await waitFor(() => stored().state === 'failed', 5_000, 'refused again');
    // The same refusal, for the line: not "no such image" for a local path the server never had.
    expect(stored().error?.code).toBe(first.error?.code);
  });

  it('an image the server refuses fails with its reason and can be deleted; the next message still goes', async () => {
    const { w, proxy, line_id } = await setup();
    const h = live.core();
    await signedIn(h, proxy.url);
    const notAnImage = Buffer.from('<svg onload="alert(1)"></svg>');
    const refused = await sendImage(h, line_id, notAnImage, 'trick.png');
    const after = await h.core.invoke('message.send', {
      line_id,
      content: { type: 'text', text: 'sorry, wrong file' },
    });
    await waitFor(
      () => h.core.runtime!.store.messageByRandomId(refused.random_id!)?.state === 'failed',
      5_000,
      'failed',
    );
    const failed = h.core.runtime!.store.messageByRandomId(refused.random_id!)!;
    expect(failed.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(failed.error!.message).toContain('not image/png');
    await h.core.invoke('message.delete', { random_id: refused.random_id! });
    expect(h.core.runtime!.store.messageByRandomId(refused.random_id!)).toBeNull();
    await expectConverged(h, w.t, w.staff);
    expect(h.core.runtime!.store.messageByRandomId(after.random_id!)!.state).toBe('sent');
  });
});
