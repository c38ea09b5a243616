import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientCore } from '../../src-main/core/client-core';
import type { ConfigOverrides } from '../../src-main/core/config';
import { IMAGES, uploadImage } from '../support/media';
import { signIn } from '../support/protocol-client';
import { TEST_PASSWORD, uniqueDevice } from '../support/test-server';
import { tempDir, testPorts, waitFor } from './helpers';
import { FAST, makeWorld, type World } from './live-helpers';

const base64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

describe('media.get against the real server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function signedIn(
    config: ConfigOverrides = FAST,
  ): Promise<{ core: ClientCore; dir: string; stopServer: () => Promise<void>; url: string }> {
    const w: World = await makeWorld();
    let stopped: Promise<void> | null = null;
    const stopServer = (): Promise<void> => (stopped ??= w.t.stop());
    cleanups.push(stopServer);
    const { dir, cleanup } = tempDir();
    const core = new ClientCore({ dataDir: dir, ports: testPorts(), config });
    cleanups.push(async () => {
      await core.dispose();
      cleanup();
    });
    await core.invoke('session.signIn', { server_url: w.t.url, account: 'alice', password: TEST_PASSWORD });
    await waitFor(() => core.runtime?.channel.state().status === 'online', 5_000, 'online');
    return { core, dir, stopServer, url: w.t.url };
  }

  /** Uploads as the customer: images this device never had the bytes of. */
  async function customerUploads(url: string) {
    const { token } = await signIn(url, 'emma', TEST_PASSWORD, uniqueDevice('emma'));
    return async (bytes: Uint8Array, mime: string) => {
      const up = await uploadImage(url, token, bytes, { mime });
      if (!up.ok) throw new Error(`upload refused: ${JSON.stringify(up)}`);
      return up.image;
    };
  }

  it('fetches an image someone else uploaded with the session, keeps it on disk, and serves it from there with the server gone', async () => {
    const { core, dir, stopServer, url } = await signedIn();
    // The customer's uploads: this device never had their bytes.
    const upload = await customerUploads(url);
    const gif = IMAGES['image/gif'];
    const image = await upload(gif, 'image/gif');
    const other = await upload(IMAGES['image/png'], 'image/png');
    expect(existsSync(join(dir, 'media-cache'))).toBe(false);

    const fetched = await core.invoke('media.get', { url: image.url });
    expect(fetched.mime).toBe('image/gif');
    expect(Buffer.from(fetched.data_base64, 'base64').equals(gif)).toBe(true);
    const name = image.url.split('/').pop()!;
    expect(readdirSync(join(dir, 'media-cache'))).toEqual([name]);

    await stopServer();
    await waitFor(() => core.runtime!.channel.state().status !== 'online', 5_000, 'offline');
    expect(await core.invoke('media.get', { url: image.url })).toEqual(fetched);
    // Never fetched: nothing to show until the connection is back.
    expect(await core.call('media.get', { url: other.url })).toMatchObject({
      ok: false,
      error: { code: 'OFFLINE', temporary: true },
    });
  });

  it('fetches thumbnails: a WebP for a large image, the image itself for a small one; kept, and served offline', async () => {
    const { core, dir, stopServer, url } = await signedIn();
    const upload = await customerUploads(url);
    const large = await upload(
      await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#2a9d8f' } })
        .png()
        .toBuffer(),
      'image/png',
    );
    const small = await upload(IMAGES['image/png'], 'image/png');
    const hash = large.url.split('/').pop()!.split('.')[0]!;

    const thumb = await core.invoke('media.get', { url: large.url, variant: 'thumb' });
    expect(thumb.mime).toBe('image/webp');
    const meta = await sharp(Buffer.from(thumb.data_base64, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 520, 390]);
    const own = await core.invoke('media.get', { url: small.url, variant: 'thumb' });
    expect(own).toEqual({ mime: 'image/png', data_base64: base64(IMAGES['image/png']) });
    expect(readdirSync(join(dir, 'media-cache')).sort()).toEqual(
      [`${hash}.thumb.webp`, small.url.split('/').pop()!].sort(),
    );

    await stopServer();
    await waitFor(() => core.runtime!.channel.state().status !== 'online', 5_000, 'offline');
    expect(await core.invoke('media.get', { url: large.url, variant: 'thumb' })).toEqual(thumb);
    expect(await core.invoke('media.get', { url: small.url, variant: 'thumb' })).toEqual(own);
    // The full image was never fetched: a thumbnail does not stand in for it.
    expect(await core.call('media.get', { url: large.url })).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
  });

  it('answers NOT_FOUND for an image the server does not hold, and refuses anything but a media path', async () => {
    const { core, dir } = await signedIn();
    const missing = `/v1/media/${'0'.repeat(64)}.png`;
    expect(await core.call('media.get', { url: missing })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(existsSync(join(dir, 'media-cache', `${'0'.repeat(64)}.png`))).toBe(false);
    for (const url of ['http://evil.example/x.png', `/v1/media/../${'0'.repeat(64)}.png`, '/v1/media/abc.png'])
      expect(await core.call('media.get', { url })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('keeps the cache within config.media.cacheMaxBytes: the least recently shown image goes, and is fetched again', async () => {
    const gif = IMAGES['image/gif']; // 43 bytes
    const png = IMAGES['image/png']; // 70 bytes
    const { core, dir } = await signedIn({ ...FAST, media: { cacheMaxBytes: gif.length + png.length - 1 } });
    const upload = (mime: 'image/gif' | 'image/png', b: Buffer) =>
      core.invoke('media.upload', { name: 'x', mime, data_base64: base64(b), width: 1, height: 1 });
    const a = await upload('image/gif', gif);
    const b = await upload('image/png', png);
    const cacheDir = join(dir, 'media-cache');
    const nameOf = (url: string): string => url.split('/').pop()!;

    await core.invoke('media.get', { url: a.url });
    await new Promise((r) => setTimeout(r, 20)); // distinct last-use times on any file system
    await core.invoke('media.get', { url: b.url }); // 113 bytes > 112: the gif, used longest ago, goes
    await waitFor(() => readdirSync(cacheDir).length === 1, 5_000, 'the cache trimmed');
    expect(readdirSync(cacheDir)).toEqual([nameOf(b.url)]);

    const again = await core.invoke('media.get', { url: a.url });
    expect(Buffer.from(again.data_base64, 'base64').equals(gif)).toBe(true);
    await waitFor(() => readdirSync(cacheDir).join() === nameOf(a.url), 5_000, 'the png trimmed in turn');
  });
});
