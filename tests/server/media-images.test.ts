import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { THUMB_MAX_SIDE } from '../../src-server/media/images';
import { stripJpegMetadata } from '../../src-server/media/jpeg-strip';
import { Thumbnails, thumbnailName } from '../../src-server/media/thumbnails';
import type { MediaStore } from '../../src-server/media/types';
import { IMAGES, uploadImage } from '../support/media';
import type { HttpClient } from '../support/protocol-client';
import { startTestServer, type TestServer } from '../support/test-server';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const LIMITS = { maxPixels: 40_000_000, maxAnimationPixels: 200_000 };

/** A photo as a phone takes it: EXIF with camera, GPS position and "turn 90° clockwise to view". */
async function phonePhoto(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3a6f9e' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'PocketPhone', Model: 'PP-9' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '120/1 9/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

const solid = (width: number, height: number, format: 'png' | 'jpeg' | 'webp') =>
  sharp({ create: { width, height, channels: 3, background: '#c0392b' } })
    .toFormat(format)
    .toBuffer();

/** An animated GIF of `frames` frames, each width × height (each a new colour: equal frames are merged). */
async function animation(width: number, height: number, frames: number): Promise<Buffer> {
  const frame = (i: number) =>
    sharp({ create: { width, height, channels: 3, background: { r: (i * 40) % 256, g: 100, b: 200 } } })
      .png()
      .toBuffer();
  const all = await Promise.all(Array.from({ length: frames }, (_, i) => frame(i)));
  return sharp(all, { join: { animated: true } })
    .gif({ loop: 0, delay: 100 })
    .toBuffer();
}

describe('uploaded images lose their metadata', () => {
  let t: TestServer;
  let customer: HttpClient;
  beforeEach(async () => {
    t = await startTestServer({ maxAnimationPixels: LIMITS.maxAnimationPixels });
    await t.addCustomer('cust1');
    customer = await t.connectHttp('cust1');
  });
  afterEach(async () => {
    await t.stop();
  });

  const stored = async (url: string): Promise<Buffer> => {
    const res = await fetch(`${t.url}${url}`, { headers: { authorization: `Bearer ${customer.token}` } });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };

  it('stores a phone photo without camera, GPS or appended pictures, pixel for pixel, still upright', async () => {
    const photo = await phonePhoto(400, 300);
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    // Phones append more pictures after the end (depth or gain maps), each with EXIF of its own.
    const withTrailer = Buffer.concat([photo, await phonePhoto(16, 16)]);
    const commented = Buffer.concat([
      photo.subarray(0, 2),
      Buffer.from([0xff, 0xfe, 0, 9]),
      Buffer.from('Room 12'),
      photo.subarray(2),
    ]);
    for (const bytes of [photo, withTrailer, commented]) {
      const up = await uploadImage(t.url, customer.token, bytes, { mime: 'image/jpeg' });
      expect(up.ok && [up.image.width, up.image.height]).toEqual([300, 400]);
      const kept = await stored(up.ok ? up.image.url : '');
      expect(['PocketPhone', 'Room 12'].filter((text) => kept.includes(text))).toEqual([]);
      expect(kept.length).toBeLessThan(photo.length);
      expect(up.ok && up.image.url).toBe(`/v1/media/${sha(kept)}.jpg`);
      const meta = await sharp(kept).metadata();
      expect([meta.width, meta.height, meta.orientation, meta.autoOrient]).toEqual([
        400,
        300,
        6,
        { width: 300, height: 400 },
      ]);
      const pixels = (image: Buffer) => sharp(image).raw().toBuffer();
      expect((await pixels(kept)).equals(await pixels(photo))).toBe(true);
    }
  });

  it('drops PNG text and WebP EXIF too, and keeps images without metadata byte for byte', async () => {
    const png = await solid(40, 30, 'png');
    const tagged = await sharp(png)
      .png()
      .withMetadata({})
      .withExif({ IFD0: { Artist: 'Zhang San' } })
      .toBuffer();
    const webp = await sharp(await solid(40, 30, 'webp'))
      .webp()
      .withExif({ IFD0: { Artist: 'Zhang San' } })
      .toBuffer();
    for (const [mime, bytes] of [
      ['image/png', tagged],
      ['image/webp', webp],
    ] as const) {
      expect(bytes.includes('Zhang San'), mime).toBe(true);
      const up = await uploadImage(t.url, customer.token, bytes, { mime });
      const kept = await stored(up.ok ? up.image.url : '');
      expect(kept.includes('Zhang San'), mime).toBe(false);
      expect(up.ok && [up.image.width, up.image.height], mime).toEqual([40, 30]);
    }
    for (const [mime, bytes] of [
      ['image/png', png],
      ['image/gif', IMAGES['image/gif']],
      ['image/jpeg', await solid(40, 30, 'jpeg')],
    ] as const) {
      const up = await uploadImage(t.url, customer.token, bytes, { mime });
      expect((await stored(up.ok ? up.image.url : '')).equals(bytes), mime).toBe(true);
    }
  });

  it('refuses an animation with more frames × pixels than the limit, and stores one within it as sent', async () => {
    const long = await animation(100, 100, 30); // 300,000 pixels decoded per loop
    const refused = await uploadImage(t.url, customer.token, long, { mime: 'image/gif' });
    expect(!refused.ok && [refused.status, refused.error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect(!refused.ok && refused.error.message).toBe(
      'the animation has 30 frames of 100×100 pixels (300000 in all); at most 200000 are accepted',
    );
    const short = await animation(100, 100, 5);
    const up = await uploadImage(t.url, customer.token, short, { mime: 'image/gif' });
    expect(up.ok && [up.image.width, up.image.height]).toEqual([100, 100]);
    expect((await stored(up.ok ? up.image.url : '')).equals(short)).toBe(true);
  });
});

describe('stripJpegMetadata', () => {
  it('never throws and always ends, on every byte of a photo changed and on cut-short copies', async () => {
    const photo = await phonePhoto(48, 32);
    let walked = 0;
    for (let at = 0; at < photo.length; at++) {
      for (const value of [0x00, 0xff, photo[at]! ^ 0x5a]) {
        const changed = Buffer.from(photo);
        changed[at] = value;
        const out = stripJpegMetadata(changed);
        if (out !== null) {
          walked++;
          expect(out.subarray(0, 2).equals(Buffer.from([0xff, 0xd8]))).toBe(true);
          expect(out.length).toBeLessThanOrEqual(changed.length + 64);
        }
      }
      expect(() => stripJpegMetadata(photo.subarray(0, at))).not.toThrow();
    }
    expect(walked).toBeGreaterThan(photo.length);
  });
});

describe('thumbnails', () => {
  let t: TestServer;
  let token: string;
  beforeEach(async () => {
    t = await startTestServer({ maxAnimationPixels: LIMITS.maxAnimationPixels });
    await t.addCustomer('cust1');
    token = (await t.connectHttp('cust1')).token;
  });
  afterEach(async () => {
    await t.stop();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${url}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  it('are WebPs made once, stored, served with their own ETag; the image itself is unchanged', async () => {
    const photo = await solid(2000, 1000, 'jpeg');
    const up = await uploadImage(t.url, token, photo, { mime: 'image/jpeg' });
    const url = up.ok ? up.image.url : '';
    const thumbs = await Promise.all([1, 2, 3].map(() => get(`${url}?variant=thumb`)));
    const bodies = await Promise.all(thumbs.map(async (r) => Buffer.from(await r.arrayBuffer())));
    for (const res of thumbs) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/webp');
      expect(res.headers.get('etag')).toBe(`"${sha(photo)}.thumb"`);
      expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    }
    expect(bodies.every((b) => b.equals(bodies[0]!))).toBe(true);
    const meta = await sharp(bodies[0]).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', THUMB_MAX_SIDE, THUMB_MAX_SIDE / 2]);
    expect(bodies[0]!.length).toBeLessThan(photo.length);

    const stored = readdirSync(join(t.dataDir, 'media'), { recursive: true }).map((p) => basename(String(p)));
    expect(stored.filter((n) => n.endsWith('.thumb.webp'))).toEqual([thumbnailName(`${sha(photo)}.jpg`)]);
    const revalidated = await get(`${url}?variant=thumb`, { 'if-none-match': `"${sha(photo)}.thumb"` });
    expect(revalidated.status).toBe(304);
    const full = await get(url);
    expect([full.headers.get('content-type'), full.headers.get('etag')]).toEqual(['image/jpeg', `"${sha(photo)}"`]);
    expect(Buffer.from(await full.arrayBuffer()).equals(photo)).toBe(true);
  });

  it('of a small or animated image are the image itself; of nothing, 404; for no one signed in, 401', async () => {
    const small = await solid(THUMB_MAX_SIDE, 100, 'png');
    const gif = await animation(60, 30, 3);
    for (const [mime, bytes] of [
      ['image/png', small],
      ['image/gif', gif],
    ] as const) {
      const up = await uploadImage(t.url, token, bytes, { mime });
      const res = await get(`${up.ok ? up.image.url : ''}?variant=thumb`);
      expect(res.headers.get('content-type'), mime).toBe(mime);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes), mime).toBe(true);
    }
    const missing = await get(`/v1/media/${'e'.repeat(64)}.png?variant=thumb`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const derived = await get(`/v1/media/${thumbnailName(`${'e'.repeat(64)}.png`)}`);
    expect(derived.status).toBe(404);
    const anonymous = await fetch(`${t.url}/v1/media/${sha(small)}.png?variant=thumb`);
    expect(anonymous.status).toBe(401);
  });

  it('are made at most two at a time, however many different images are asked for at once', async () => {
    const photo = await solid(1200, 800, 'png');
    let active = 0;
    let most = 0;
    const store: MediaStore = {
      put: () => Promise.resolve(),
      has: () => Promise.resolve(false),
      read: async () => {
        most = Math.max(most, ++active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active--;
        return { size: photo.length, body: Readable.from([photo]) };
      },
    };
    const thumbnails = new Thumbnails(store, LIMITS, { warn: () => undefined });
    const names = Array.from({ length: 6 }, (_, i) => `${String(i).repeat(64)}.png`);
    const made = await Promise.all(names.map((n) => thumbnails.of(n)));
    expect(made.map((m) => m?.mime)).toEqual(names.map(() => 'image/webp'));
    expect(most).toBe(2);
  });

  it('of an image the decoder cannot read are the image itself, with one warning', async () => {
    const objects = new Map<string, Buffer>();
    const store: MediaStore = {
      put: (name, bytes) => Promise.resolve(void objects.set(name, Buffer.from(bytes))),
      has: (name) => Promise.resolve(objects.has(name)),
      read: (name) => {
        const bytes = objects.get(name);
        return Promise.resolve(bytes ? { size: bytes.length, body: Readable.from([bytes]) } : null);
      },
    };
    const name = `${'b'.repeat(64)}.png`;
    objects.set(name, Buffer.concat([IMAGES['image/png'].subarray(0, 16), Buffer.alloc(64, 7)]));
    const warnings: string[] = [];
    const thumbnails = new Thumbnails(store, LIMITS, { warn: (_o: object, msg: string) => void warnings.push(msg) });
    expect(await thumbnails.of(name)).toEqual({ name, mime: 'image/png' });
    expect(await thumbnails.of(name)).toEqual({ name, mime: 'image/png' });
    expect(warnings).toEqual(['thumbnail could not be made; serving the image']);
    expect([...objects.keys()]).toEqual([name]);
  });

  it('remember what each thumbnail is: a repeated request does not ask the store again', async () => {
    const objects = new Map<string, Buffer>([[`${'c'.repeat(64)}.png`, await solid(1200, 800, 'png')]]);
    const asked: string[] = [];
    const store: MediaStore = {
      put: (name, bytes) => Promise.resolve(void objects.set(name, Buffer.from(bytes))),
      has: (name) => {
        asked.push(`has ${name}`);
        return Promise.resolve(objects.has(name));
      },
      read: (name) => {
        asked.push(`read ${name}`);
        const bytes = objects.get(name);
        return Promise.resolve(bytes ? { size: bytes.length, body: Readable.from([bytes]) } : null);
      },
    };
    const name = `${'c'.repeat(64)}.png`;
    const derived = { name: thumbnailName(name), mime: 'image/webp' };
    // A node that made it, then a node that finds it stored.
    const maker = new Thumbnails(store, LIMITS, { warn: () => undefined });
    expect(await maker.of(name)).toEqual(derived);
    expect(await maker.of(name)).toEqual(derived);
    expect(asked).toEqual([`has ${derived.name}`, `read ${name}`]);
    asked.length = 0;
    const other = new Thumbnails(store, LIMITS, { warn: () => undefined });
    expect(await other.of(name)).toEqual(derived);
    expect(await other.of(name)).toEqual(derived);
    expect(asked).toEqual([`has ${derived.name}`]);
  });
});
