import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, FileMediaStore } from '../../src-server';
import { mediaNameOfUrl, mimeOfMediaName } from '../../src-server/media/names';
import { sniffImageMime } from '../../src-server/media/sniff';
import {
  IMAGES,
  exifSegment,
  gifImage,
  jpegImage,
  pngImage,
  uploadImage,
  webpExtended,
  webpLossless,
  webpLossy,
} from '../support/media';
import { RequestError, type HttpClient } from '../support/protocol-client';
import { follow, rid, startTestServer, type TestServer } from '../support/test-server';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Every stored object (temp folder excluded). */
function storedObjects(dataDir: string): string[] {
  const root = join(dataDir, 'media');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.parentPath.endsWith('tmp'))
    .map((e) => e.name);
}

describe('media names and magic numbers', () => {
  it('recognise each accepted type by its bytes and nothing else', () => {
    for (const [mime, bytes] of Object.entries(IMAGES)) expect(sniffImageMime(bytes)).toBe(mime);
    expect(sniffImageMime(Buffer.from('<html><script>alert(1)</script>'))).toBeNull();
    expect(sniffImageMime(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
    expect(sniffImageMime(Buffer.from([0x89, 0x50]))).toBeNull();
    expect(sniffImageMime(new Uint8Array())).toBeNull();
  });

  it('accept only exact media paths of this server', () => {
    const name = `${'a'.repeat(64)}.png`;
    expect(mediaNameOfUrl(`/v1/media/${name}`)).toBe(name);
    expect(mimeOfMediaName(name)).toBe('image/png');
    expect(mimeOfMediaName(`${'a'.repeat(64)}.jpg`)).toBe('image/jpeg');
    for (const url of [
      `https://evil.example/v1/media/${name}`,
      `/v1/media/../${name}`,
      `/v1/media/${name}?x=1`,
      `/v1/media/${'A'.repeat(64)}.png`,
      `/v1/media/${'a'.repeat(63)}.png`,
      `/v1/media/${'a'.repeat(64)}.svg`,
      `//evil.example/v1/media/${name}`,
    ])
      expect(mediaNameOfUrl(url), url).toBeNull();
  });
});

describe('FileMediaStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'im-media-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores by name, idempotently, leaving no temp file behind; sweeps stale temp files of a crash', async () => {
    await mkdir(join(dir, 'tmp'), { recursive: true });
    const stale = join(dir, 'tmp', 'crashed.tmp');
    const fresh = join(dir, 'tmp', 'in-progress.tmp');
    writeFileSync(stale, 'half');
    writeFileSync(fresh, 'half');
    utimesSync(stale, new Date(0), new Date(0));
    const store = new FileMediaStore(dir);
    const name = `${sha(IMAGES['image/png'])}.png`;
    expect(await store.has(name)).toBe(false);
    expect(await store.read(name)).toBeNull();
    await Promise.all([store.put(name, IMAGES['image/png']), store.put(name, IMAGES['image/png'])]);
    expect(await store.has(name)).toBe(true);
    const read = await store.read(name);
    const chunks: Buffer[] = [];
    for await (const chunk of read!.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(IMAGES['image/png'])).toBe(true);
    expect(read!.size).toBe(IMAGES['image/png'].length);
    expect(readdirSync(join(dir, 'tmp'))).toEqual(['in-progress.tmp']);
  });
});

describe('image upload and serving', () => {
  let t: TestServer;
  let customer: HttpClient;
  beforeEach(async () => {
    t = await startTestServer({
      maxMediaBytes: 4096,
      maxImagePixels: 30_000,
      mediaUploadBurst: 12,
      mediaUploadRatePerSecond: 0.001,
    });
    await t.addMerchant('m1', 'Lakeside Hotel');
    await t.addObject({ object_id: 'room-1', kind: 'room', merchant_id: 'm1' });
    await t.addStaff('staff1', 'm1');
    await t.addCustomer('cust1');
    customer = await t.connectHttp('cust1');
  });
  afterEach(async () => {
    await t.stop();
  });

  it('stores content-addressed and serves it with its type, nosniff and long caching, to signed-in users', async () => {
    const png = pngImage(64, 48);
    // The size in the query is a claim, and a false one: the answer has the image's own size.
    const up = await uploadImage(t.url, customer.token, png, { width: 640, height: 480 });
    const name = `${sha(png)}.png`;
    expect(up).toEqual({
      ok: true,
      status: 200,
      image: { type: 'image', url: `/v1/media/${name}`, mime: 'image/png', width: 64, height: 48 },
    });
    // The same bytes again, without any query: the same object, the same answer.
    const again = await uploadImage(t.url, customer.token, png);
    expect(again).toEqual(up);
    expect(storedObjects(t.dataDir)).toEqual([name]);

    const staff = await t.connectHttp('staff1');
    const res = await fetch(`${t.url}/v1/media/${name}`, { headers: { authorization: `Bearer ${staff.token}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const etag = res.headers.get('etag')!;
    expect(etag).toBe(`"${sha(png)}"`);

    const revalidated = await fetch(`${t.url}/v1/media/${name}`, {
      headers: { authorization: `Bearer ${staff.token}`, 'if-none-match': etag },
    });
    expect(revalidated.status).toBe(304);
    // For <img> elements, which cannot send headers (RFC 6750 §2.3).
    const byQuery = await fetch(`${t.url}/v1/media/${name}?access_token=${encodeURIComponent(staff.token)}`);
    expect(byQuery.status).toBe(200);
    await byQuery.arrayBuffer();

    const anonymous = await fetch(`${t.url}/v1/media/${name}`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    for (const path of [`${sha(IMAGES['image/gif'])}.gif`, '..%2F..%2Fim.sqlite', `${sha(png)}.gif`]) {
      const missing = await fetch(`${t.url}/v1/media/${path}`, { headers: { authorization: `Bearer ${staff.token}` } });
      expect(missing.status, path).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });

  it('accepts each image type whose bytes match the declared one, answering the size read from its header', async () => {
    for (const [mime, bytes] of Object.entries(IMAGES)) {
      const up = await uploadImage(t.url, customer.token, bytes, { mime });
      expect(up.ok && [up.image.mime, up.image.width, up.image.height], mime).toEqual([mime, 1, 1]);
    }
    // Each format and container, with whatever an older client claims (even nonsense) ignored.
    const claims = [{}, { width: 4000, height: 3000 }, { width: 0, height: 'abc' }, { width: 1 }] as const;
    const cases = [
      ['image/png', pngImage(300, 7), [300, 7]],
      ['image/gif', gifImage(20, 10, { screen: { width: 8, height: 8 } }), [20, 10]],
      ['image/jpeg', jpegImage(120, 90, { sof: 0xc2 }), [120, 90]],
      ['image/jpeg', jpegImage(120, 90, { before: [exifSegment(6)] }), [90, 120]], // turned, as browsers show it
      ['image/webp', webpLossy(33, 17), [33, 17]],
      ['image/webp', webpLossless(50, 40), [50, 40]],
      ['image/webp', webpExtended(5, 3, { animated: true, canvas: { width: 70, height: 40 } }), [70, 40]],
    ] as const;
    for (const [i, [mime, bytes, size]] of cases.entries()) {
      const up = await uploadImage(t.url, customer.token, bytes, { mime, ...claims[i % claims.length] });
      expect(up.ok && [up.image.width, up.image.height], `${mime} #${i}`).toEqual(size);
    }
  });

  it('refuses images whose header cannot be read, too large a side or too many pixels, storing nothing', async () => {
    const jpeg = jpegImage(16, 16);
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const refusals = [
      [
        IMAGES['image/png'].subarray(0, 24),
        'image/png',
        /^the image\/png header cannot be read: the file ends inside the IHDR chunk/,
      ],
      [
        Buffer.concat([jpeg.subarray(0, sof), Buffer.from([0xff, 0xe1, 0xff, 0xff, 0, 0])]),
        'image/jpeg',
        /^the image\/jpeg header cannot be read: the file ends inside the segment 0xFFE1 at byte \d+ \(65535 bytes\)/,
      ],
      [
        Buffer.concat([jpeg.subarray(0, sof), Buffer.from([0xff, 0xe1, 0, 1]), jpeg.subarray(sof)]),
        'image/jpeg',
        /^the image\/jpeg header cannot be read: the segment 0xFFE1 at byte \d+ has length 1 \(at least 2\)$/,
      ],
      [
        Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(3000, 0xff)]),
        'image/jpeg',
        /^the image\/jpeg header cannot be read: the file ends inside the 0xFF fill bytes from byte 2$/,
      ],
      [gifImage(1, 1).subarray(0, 20), 'image/gif', /^the image\/gif header cannot be read: the file ends inside/],
      [
        webpExtended(5, 3, { canvas: { width: 50, height: 30 } }),
        'image/webp',
        /^the image\/webp header cannot be read: the canvas is 50×30 but the image 5×3$/,
      ],
      [pngImage(20_001, 1), 'image/png', /^the image is 20001×1 pixels; each side may be at most 20000 pixels$/],
      [pngImage(200, 200), 'image/png', /^the image is 200×200 = 40000 pixels; at most 30000 pixels are accepted$/],
      // A decompression bomb: 30 bytes that decode to 16384×16384.
      [webpLossless(16_384, 16_384), 'image/webp', /^the image is 16384×16384 = 268435456 pixels; at most 30000/],
    ] as const;
    for (const [bytes, mime, message] of refusals) {
      const answer = await uploadImage(t.url, customer.token, bytes, { mime, width: 10, height: 10 });
      expect(!answer.ok && [answer.status, answer.error.code], String(message)).toEqual([400, 'INVALID_ARGUMENT']);
      expect(!answer.ok && answer.error.message).toMatch(message);
    }
    expect(storedObjects(t.dataDir)).toEqual([]);
    expect(DEFAULT_CONFIG.maxImagePixels).toBe(40_000_000);
  });

  it('refuses bad magic, other types, oversized and unauthenticated uploads, storing nothing', async () => {
    const png = IMAGES['image/png'];
    const refusals = [
      [await uploadImage(t.url, customer.token, IMAGES['image/jpeg'], { mime: 'image/png' }), 400, 'INVALID_ARGUMENT'],
      [
        await uploadImage(t.url, customer.token, Buffer.from('<svg onload=alert(1)>'), { mime: 'image/gif' }),
        400,
        'INVALID_ARGUMENT',
      ],
      [
        await uploadImage(t.url, customer.token, Buffer.from('<svg/>'), { mime: 'image/svg+xml' }),
        400,
        'INVALID_ARGUMENT',
      ],
      [await uploadImage(t.url, customer.token, Buffer.from('<html>'), { mime: 'text/html' }), 400, 'INVALID_ARGUMENT'],
      [await uploadImage(t.url, customer.token, Buffer.concat([png, Buffer.alloc(4096)])), 413, 'PAYLOAD_TOO_LARGE'],
      [await uploadImage(t.url, null, png), 401, 'UNAUTHENTICATED'],
      [await uploadImage(t.url, 'not-a-token', png), 401, 'UNAUTHENTICATED'],
    ] as const;
    for (const [answer, status, code] of refusals) {
      expect(answer.ok).toBe(false);
      expect(!answer.ok && [answer.status, answer.error.code]).toEqual([status, code]);
    }
    // A body without Content-Length (chunked) is cut off at the limit too.
    const chunked = await fetch(`${t.url}/v1/media?width=1&height=1`, {
      method: 'POST',
      headers: { 'content-type': 'image/png', authorization: `Bearer ${customer.token}` },
      body: new ReadableStream({
        start(c) {
          c.enqueue(png);
          c.enqueue(new Uint8Array(8192));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(storedObjects(t.dataDir)).toEqual([]);
  });

  it('rate-limits uploads per user', async () => {
    const results = [];
    for (let i = 0; i < 14; i++)
      results.push(await uploadImage(t.url, customer.token, IMAGES['image/gif'], { mime: 'image/gif' }));
    expect(results.slice(0, 12).every((r) => r.ok)).toBe(true);
    const limited = results[12]!;
    expect(!limited.ok && limited.error.code).toBe('RATE_LIMITED');
    expect(!limited.ok && limited.error.retry_after_ms).toBeGreaterThan(0);
  });

  it('send accepts images uploaded here and refuses any other url, storing nothing', async () => {
    const staff = await t.connectWs('staff1');
    const staffInbox = await follow(t, staff);
    const opened = await customer.request('send', {
      random_id: rid(),
      to: { object_id: 'room-1', busi_type: 'consult' },
      content: { type: 'text', text: 'here is a photo' },
    });
    const line_id = opened.line.line_id;
    const up = await uploadImage(t.url, customer.token, IMAGES['image/png'], { width: 2, height: 3 });
    if (!up.ok) throw new Error('upload failed');
    expect([up.image.width, up.image.height]).toEqual([1, 1]);

    const unknown = `/v1/media/${'0'.repeat(64)}.png`;
    const refused = [
      { ...up.image, url: 'https://tracker.example/pixel.png' },
      { ...up.image, url: `http://127.0.0.1:1${up.image.url}` },
      { ...up.image, url: unknown },
      { ...up.image, mime: 'image/gif' as const },
    ];
    for (const content of refused) {
      const err = await customer.request('send', { random_id: rid(), line_id, content }).catch((e: unknown) => e);
      expect(err, content.url).toBeInstanceOf(RequestError);
      expect((err as RequestError).error.code).toBe('INVALID_ARGUMENT');
    }
    const card = await customer
      .request('send', {
        random_id: rid(),
        line_id,
        content: {
          type: 'card',
          card_kind: 'room',
          object_id: 'room-1',
          title: 'Room',
          image_url: 'https://x.example/a.png',
        },
      })
      .catch((e: unknown) => e);
    expect((card as RequestError).error.code).toBe('INVALID_ARGUMENT');

    const sent = await customer.request('send', { random_id: rid(), line_id, content: up.image });
    expect(sent.message.content).toEqual(up.image);
    await staffInbox.waitFor((e) => e.kind === 'message' && e.message.message_id === sent.message.message_id);
    // A client may upload honestly and then claim another size: the message carries the real one.
    const lying = await customer.request('send', {
      random_id: rid(),
      line_id,
      content: { ...up.image, width: 4000, height: 3 },
    });
    expect(lying.message.content).toEqual(up.image);
    const { messages } = await customer.request('history', { line_id });
    // text, the assignment notice (staff1 is online), image, image
    expect(messages.map((m) => m.content.type)).toEqual(['text', 'system', 'image', 'image']);
    expect(messages.at(-1)!.content).toEqual(up.image);
  });
});
