/**
 * `npm run bench:media`: what an image costs the server, each next to a reference in the same run.
 *   1. removing a phone photo's metadata: our lossless JPEG walk (jpeg-strip.ts) vs re-encoding it
 *      with sharp (what removing metadata with an image library means) — ms per photo, bytes out, ratio
 *   2. a thumbnail of that photo (sharp, shrink-on-load) — ms, bytes, vs the photo's bytes
 *   3. upload through the real server over HTTP (auth, magic, header, strip, sha256, durable write)
 *      vs a bare node:http server that writes the same bytes to a file — uploads/s and the ratio
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createAccount, startServer } from '../../src-server';
import { makeThumbnail } from '../../src-server/media/images';
import { stripJpegMetadata } from '../../src-server/media/jpeg-strip';

const WIDTH = 4032; // a 12-megapixel phone photo
const HEIGHT = 3024;
const ROUNDS = 12;
const UPLOADS = 40;

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A photo-like JPEG (smooth gradients plus grain, q90) with EXIF, GPS and orientation, as phones write them. */
async function phonePhoto(): Promise<Buffer> {
  const raw = Buffer.alloc(WIDTH * HEIGHT * 3);
  let seed = 7;
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const i = (y * WIDTH + x) * 3;
      raw[i] = (x * 255) / WIDTH + (seed % 24);
      raw[i + 1] = (y * 255) / HEIGHT + ((seed >> 8) % 24);
      raw[i + 2] = 128 + ((seed >> 16) % 24);
    }
  return sharp(raw, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'PocketPhone', Model: 'PP-9' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '120/1 9/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

async function timed<T>(rounds: number, work: () => Promise<T> | T): Promise<{ ms: number; last: T }> {
  let last = await work(); // warm-up
  const started = performance.now();
  for (let i = 0; i < rounds; i++) last = await work();
  return { ms: (performance.now() - started) / rounds, last };
}

/**
 * Distinct photos (one byte of picture data changed in each), since the server stores content-addressed
 * objects once: the same photo again would cost it almost nothing.
 */
function variants(photo: Buffer, n: number): Buffer[] {
  const middle = photo.length >> 1;
  return Array.from({ length: n }, (_, i) => {
    const copy = Buffer.from(photo);
    let at = middle + i * 97;
    while (copy[at] === 0xff || copy[at]! >= 0xfe || copy[at - 1] === 0xff) at++;
    copy[at] = copy[at]! ^ 1;
    return copy;
  });
}

async function uploadsPerSecond(url: string, token: string | null, photos: Buffer[]): Promise<number> {
  const started = performance.now();
  for (const photo of photos) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: new Blob([new Uint8Array(photo)]),
    });
    if (!res.ok) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  return photos.length / ((performance.now() - started) / 1000);
}

/** The reference: receive the body, hash it, write it to a file, answer — no checks at all. */
async function bareUploadServer(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const name = createHash('sha256').update(body).digest('hex');
      void writeFile(join(dir, name), body, { flush: true }).then(() => res.end(JSON.stringify({ name })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function main(): Promise<void> {
  const photo = await phonePhoto();
  console.log(`photo: ${WIDTH}×${HEIGHT} JPEG with EXIF/GPS, ${fmt(photo.length / 1024)} KiB\n`);

  const strip = await timed(ROUNDS, () => stripJpegMetadata(photo)!);
  const reencode = await timed(4, () =>
    sharp(photo).autoOrient().keepIccProfile().jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer(),
  );
  console.log('1. metadata removal');
  console.log(
    `   lossless walk (ours)   ${fmt(strip.ms, 2)} ms   ${fmt(strip.last.length / 1024)} KiB, pixels unchanged`,
  );
  console.log(`   sharp re-encode (ref)  ${fmt(reencode.ms, 1)} ms   ${fmt(reencode.last.length / 1024)} KiB`);
  console.log(
    `   ratio (ref time / ours): ${fmt(reencode.ms / strip.ms, 0)}× faster; size ${fmt(strip.last.length / reencode.last.length, 2)}× of re-encoded\n`,
  );

  const limits = { maxPixels: 40_000_000, maxAnimationPixels: 200_000_000 };
  const thumb = await timed(4, () => makeThumbnail(strip.last, limits));
  console.log('2. thumbnail (520 px WebP)');
  console.log(
    `   ${fmt(thumb.ms, 1)} ms, ${fmt(thumb.last!.length / 1024, 1)} KiB = ${fmt((100 * thumb.last!.length) / photo.length, 2)} % of the photo's bytes\n`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'bench-media-'));
  const server = await startServer({
    dataDir: join(dir, 'server'),
    port: 0,
    logger: false,
    maxMediaBytes: 16 * 1024 * 1024,
    mediaUploadBurst: 1_000,
  });
  const bare = await bareUploadServer(dir);
  try {
    await createAccount(
      server.store,
      { account: 'bench', password: 'bench-password', role: 'customer', display_name: 'Bench' },
      { cost: { N: 1 << 10, r: 8, p: 1 } },
    );
    const login = await fetch(`${server.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'bench', password: 'bench-password', device_id: 'bench' }),
    });
    const { token } = (await login.json()) as { token: string };
    const photos = variants(photo, UPLOADS);
    const ours = await uploadsPerSecond(`${server.url}/v1/media`, token, photos);
    const reference = await uploadsPerSecond(bare.url, null, photos);
    console.log(`3. upload of the photo over HTTP, one at a time (${UPLOADS} each)`);
    console.log(`   Merchant IM server  ${fmt(ours, 1)} uploads/s`);
    console.log(`   bare node:http      ${fmt(reference, 1)} uploads/s`);
    console.log(`   ratio: ${fmt(ours / reference, 2)}`);
  } finally {
    await bare.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
