import { crc32, deflateSync } from 'node:zlib';
import type { ImageContent, WireError } from '../../src-shared/protocol';
import type { z } from 'zod';

// Real images of any size, built byte by byte (no image library is installed). Each one is a
// complete file a browser decodes, one flat colour, with the smallest valid bitstream: these are
// the inputs the server's header reader (src-server/media/dimensions.ts) must get right.

const u16be = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u16le = (n: number): Buffer => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
const u24le = (n: number): Buffer => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
const u32be = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u32le = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** Bits packed least significant first, as GIF's LZW codes and WebP lossless want them. */
class LsbBits {
  private readonly bytes: number[] = [];
  private bit = 0;
  put(value: number, width: number): this {
    for (let i = 0; i < width; i++) {
      if (this.bit === 0) this.bytes.push(0);
      if ((value >> i) & 1) this.bytes[this.bytes.length - 1]! |= 1 << this.bit;
      this.bit = (this.bit + 1) % 8;
    }
    return this;
  }
  done(): Buffer {
    return Buffer.from(this.bytes);
  }
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Length, type, data and CRC-32 of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32be(data.length), body, u32be(crc32(body))]);
}

export interface PngOptions {
  /** Chunks between IHDR and IDAT (eXIf, tEXt …), as written. */
  before?: Buffer[];
  /** Chunks between IDAT and IEND. */
  after?: Buffer[];
}

/** A greyscale 8-bit PNG of width×height (each row: filter byte 0 and the pixels). */
export function pngImage(width: number, height: number, options: PngOptions = {}): Buffer {
  const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 0, 0, 0, 0])]);
  const raw = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0;
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    ...(options.before ?? []),
    pngChunk('IDAT', deflateSync(raw)),
    ...(options.after ?? []),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface GifOptions {
  /** The logical screen; the frame's size by default. */
  screen?: { width: number; height: number };
  /** Where the (only) frame sits on the screen. */
  left?: number;
  top?: number;
  /** Blocks before the image descriptor (extensions), as written. */
  before?: Buffer[];
}

/**
 * A GIF89a whose one frame is width×height of colour 0. LZW with a 2-bit code size: every pair of
 * pixels is `clear, 0, 0`, so the code table never grows past 3-bit codes (always valid LZW).
 */
export function gifImage(width: number, height: number, options: GifOptions = {}): Buffer {
  const screen = options.screen ?? { width, height };
  const clear = 4;
  const end = 5;
  const bits = new LsbBits();
  for (let left = width * height; left > 0; left -= 2) {
    bits.put(clear, 3).put(0, 3);
    if (left > 1) bits.put(0, 3);
  }
  const lzw = bits.put(end, 3).done();
  const blocks: Buffer[] = [];
  for (let i = 0; i < lzw.length; i += 255) {
    const part = lzw.subarray(i, i + 255);
    blocks.push(Buffer.from([part.length]), part);
  }
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    u16le(screen.width),
    u16le(screen.height),
    Buffer.from([0x80, 0, 0]), // global colour table of 2 entries, background 0, no aspect ratio
    Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff, 0xff]),
    Buffer.from([0x21, 0xf9, 4, 0, 0, 0, 0, 0]), // graphic control extension (no delay, no transparency)
    ...(options.before ?? []),
    Buffer.from([0x2c]),
    u16le(options.left ?? 0),
    u16le(options.top ?? 0),
    u16le(width),
    u16le(height),
    Buffer.from([0]),
    Buffer.from([2]), // LZW minimum code size
    ...blocks,
    Buffer.from([0, 0x3b]),
  ]);
}

export function jpegSegment(marker: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xff, marker]), u16be(data.length + 2), data]);
}

/** A TIFF block (as Exif carries it) whose IFD0 holds one Orientation tag, of type SHORT by default. */
export function tiffOrientation(orientation: number, order: 'II' | 'MM' = 'MM', type = 3): Buffer {
  const u16 = order === 'MM' ? u16be : u16le;
  const u32 = order === 'MM' ? u32be : u32le;
  return Buffer.concat([
    Buffer.from(order, 'latin1'),
    u16(42),
    u32(8), // IFD0 right after the header
    u16(1),
    u16(0x0112),
    u16(type),
    u32(1),
    u16(orientation),
    u16(0),
    u32(0), // no IFD1
  ]);
}

/** APP1 with an Exif TIFF header whose IFD0 holds one Orientation tag. */
export function exifSegment(orientation: number, order: 'II' | 'MM' = 'MM'): Buffer {
  return jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffOrientation(orientation, order)]));
}

export interface JpegOptions {
  /** The frame marker: 0xC0 baseline (default), 0xC1 extended, 0xC2 progressive. */
  sof?: 0xc0 | 0xc1 | 0xc2;
  /** Segments between the JFIF header and the tables (APPn, COM …), as written. */
  before?: Buffer[];
  /** Extra 0xFF fill bytes in front of the SOF marker (allowed before any marker, JPEG B.1.1.2). */
  fillBeforeSof?: number;
}

/**
 * A greyscale JPEG of width×height: quantisation table of ones, Huffman tables with the single
 * one-bit code `0` (DC: difference 0; AC: end of block), so every 8×8 block is the bits `00`
 * (`0` for a progressive DC-only scan) and the scan pads with ones.
 */
export function jpegImage(width: number, height: number, options: JpegOptions = {}): Buffer {
  const sof = options.sof ?? 0xc0;
  const progressive = sof === 0xc2;
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bitCount = blocks * (progressive ? 1 : 2);
  const scan = Buffer.alloc(Math.ceil(bitCount / 8), 0);
  if (bitCount % 8 !== 0) scan[scan.length - 1] = (1 << (8 - (bitCount % 8))) - 1;
  const huffman = (tableClass: number): Buffer =>
    jpegSegment(0xc4, Buffer.concat([Buffer.from([tableClass << 4, 1]), Buffer.alloc(15), Buffer.from([0])]));
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    jpegSegment(0xe0, Buffer.from([...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    ...(options.before ?? []),
    jpegSegment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    Buffer.alloc(options.fillBeforeSof ?? 0, 0xff),
    jpegSegment(sof, Buffer.concat([Buffer.from([8]), u16be(height), u16be(width), Buffer.from([1, 1, 0x11, 0])])),
    huffman(0),
    ...(progressive ? [] : [huffman(1)]),
    jpegSegment(0xda, Buffer.from([1, 1, 0x00, 0, progressive ? 0 : 63, 0])),
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A RIFF chunk: FourCC, little-endian size, data, a pad byte to an even length. */
export function webpChunk(fourcc: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(fourcc, 'latin1'), u32le(data.length), data, Buffer.alloc(data.length % 2)]);
}

/** A RIFF/WEBP file of these chunks. */
export function webpFile(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(body.length), body]);
}

/**
 * A WebP lossless (VP8L) bitstream of width×height: no transforms, no colour cache, and five
 * single-symbol prefix codes, which take zero bits per pixel — the pixel data is empty.
 */
export function vp8lBitstream(width: number, height: number): Buffer {
  const bits = new LsbBits()
    .put(0x2f, 8)
    .put(width - 1, 14)
    .put(height - 1, 14)
    .put(0, 1)
    .put(0, 3);
  bits.put(0, 1).put(0, 1).put(0, 1); // no transform, no colour cache, no meta prefix codes
  // green, red, blue: symbol 0; alpha: symbol 255; distance: symbol 0 (simple codes, one symbol)
  for (const symbol of [0, 0, 0, 255, 0]) {
    bits.put(1, 1).put(0, 1);
    if (symbol < 2) bits.put(0, 1).put(symbol, 1);
    else bits.put(1, 1).put(symbol, 8);
  }
  return bits.done();
}

/**
 * A WebP lossy (VP8) key frame of width×height whose two partitions are zero bytes: a boolean
 * decoder reading zeros decodes every flag and literal as 0 (defaults, no probability updates,
 * 4×4 DC prediction, every block at end-of-block), a valid mid-grey picture.
 */
export function vp8Bitstream(width: number, height: number): Buffer {
  const macroblocks = Math.ceil(width / 16) * Math.ceil(height / 16);
  const firstPartition = 64 + 8 * macroblocks;
  const tokens = 32 + 4 * macroblocks;
  const tag = (firstPartition << 5) | (1 << 4); // key frame (bit 0 clear), version 0, shown
  return Buffer.concat([
    u24le(tag),
    Buffer.from([0x9d, 0x01, 0x2a]),
    u16le(width),
    u16le(height),
    Buffer.alloc(firstPartition + tokens),
  ]);
}

export function webpLossless(width: number, height: number): Buffer {
  return webpFile([webpChunk('VP8L', vp8lBitstream(width, height))]);
}

export function webpLossy(width: number, height: number): Buffer {
  return webpFile([webpChunk('VP8 ', vp8Bitstream(width, height))]);
}

export interface WebpExtendedOptions {
  /** The bitstream of the image (or of the single animation frame). */
  codec?: 'VP8' | 'VP8L';
  /** The VP8X canvas; the image's own size by default. */
  canvas?: { width: number; height: number };
  /** One ANMF frame of the image at (0, 0) instead of a still image. */
  animated?: boolean;
  /** Chunks between VP8X and the image (ICCP, EXIF …). */
  before?: Buffer[];
}

/** The extended format: a VP8X header (canvas size, feature flags) and then the image chunks. */
export function webpExtended(width: number, height: number, options: WebpExtendedOptions = {}): Buffer {
  const canvas = options.canvas ?? { width, height };
  const image =
    options.codec === 'VP8'
      ? webpChunk('VP8 ', vp8Bitstream(width, height))
      : webpChunk('VP8L', vp8lBitstream(width, height));
  const flags = options.animated ? 0x02 : 0;
  const vp8x = webpChunk(
    'VP8X',
    Buffer.concat([Buffer.from([flags, 0, 0, 0]), u24le(canvas.width - 1), u24le(canvas.height - 1)]),
  );
  if (!options.animated) return webpFile([vp8x, ...(options.before ?? []), image]);
  const anim = webpChunk('ANIM', Buffer.from([0, 0, 0, 0, 0, 0]));
  const frame = webpChunk(
    'ANMF',
    Buffer.concat([u24le(0), u24le(0), u24le(width - 1), u24le(height - 1), u24le(100), Buffer.from([0]), image]),
  );
  return webpFile([vp8x, ...(options.before ?? []), anim, frame]);
}

/** Smallest real images of each accepted type (1×1), for upload tests. */
export const IMAGES = {
  'image/png': Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
  'image/gif': Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'),
  'image/jpeg': jpegImage(1, 1),
  'image/webp': webpLossless(1, 1),
} as const;

export type UploadAnswer =
  { ok: true; status: number; image: z.infer<typeof ImageContent> } | { ok: false; status: number; error: WireError };

/**
 * POST /v1/media as documented in docs/protocol.md §2: raw bytes and their Content-Type. The
 * server reads the size itself; `width`/`height` go into the query only when given, as older
 * clients still send them.
 */
export async function uploadImage(
  baseUrl: string,
  token: string | null,
  bytes: Uint8Array,
  options: { mime?: string; width?: number | string; height?: number | string } = {},
): Promise<UploadAnswer> {
  const query = new URLSearchParams();
  if (options.width !== undefined) query.set('width', String(options.width));
  if (options.height !== undefined) query.set('height', String(options.height));
  const search = query.size > 0 ? `?${query.toString()}` : '';
  const res = await fetch(`${baseUrl}/v1/media${search}`, {
    method: 'POST',
    headers: {
      'content-type': options.mime ?? 'image/png',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: new Blob([bytes as Uint8Array<ArrayBuffer>]),
  });
  const json = (await res.json()) as { error?: WireError };
  return res.ok
    ? { ok: true, status: res.status, image: json as z.infer<typeof ImageContent> }
    : { ok: false, status: res.status, error: json.error! };
}
