import { crc32 } from 'node:zlib';
import type { MediaMime } from './names';

/** An image's size in pixels, as decoders display it. */
export interface ImageSize {
  width: number;
  height: number;
}

/** The size read from an image's header, or why it cannot be read (said to the uploader). */
export type SizeReading = ({ ok: true } & ImageSize) | { ok: false; reason: string };

/**
 * The pixel size of an uploaded image, from its header alone (no pixel is decoded), so the server
 * never has to trust the size a client claims. Each reader walks the file up to the start of its
 * pixel data — everything before that must be intact — and takes the size from the same fields a
 * browser uses: PNG IHDR, GIF logical screen (grown to hold the first frame), JPEG SOFn, WebP
 * VP8 / VP8L / VP8X. Where a browser turns a picture by its EXIF orientation (JPEG APP1, PNG
 * eXIf before IDAT — not WebP, Chromium ignores it there), width and height come back swapped,
 * as the uploading client measured them.
 *
 * Hostile input gets `{ok: false}`, never an exception: every read is bounds-checked, and every
 * loop moves forward by at least one byte, so a walk ends within the file's length.
 */
export function readImageSize(bytes: Uint8Array, mime: MediaMime): SizeReading {
  try {
    return { ok: true, ...READERS[mime](bytes) };
  } catch (err) {
    if (err instanceof Unreadable) return { ok: false, reason: err.message };
    throw err;
  }
}

const READERS: Record<MediaMime, (b: Uint8Array) => ImageSize> = {
  'image/png': readPng,
  'image/jpeg': readJpeg,
  'image/gif': readGif,
  'image/webp': readWebp,
};

/** Thrown inside the readers only; readImageSize turns it into `{ok: false, reason}`. */
class Unreadable extends Error {}

function fail(reason: string): never {
  throw new Unreadable(reason);
}

function truncated(b: Uint8Array, end: number, what: string): never {
  fail(`the file ends inside ${what} (${end} bytes needed, the file has ${b.length})`);
}

/**
 * Bytes [at, at + n) must exist; `what` names them for the refusal. Loops test inline instead, so
 * that their message is only built on failure (a hostile file can hold millions of tiny blocks).
 */
function need(b: Uint8Array, at: number, n: number, what: string): void {
  if (at + n > b.length) truncated(b, at + n, what);
}

const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number): number => b[at]! * 2 ** 24 + ((b[at + 1]! << 16) | u16be(b, at + 2));
const u32le = (b: Uint8Array, at: number): number => u24le(b, at) + b[at + 3]! * 2 ** 24;
const hex = (n: number, digits = 2): string => `0x${n.toString(16).toUpperCase().padStart(digits, '0')}`;

/** A chunk tag for a message: printable ASCII as is, anything else escaped (never raw bytes). */
function tag(b: Uint8Array, at: number): string {
  let out = '';
  for (const c of b.subarray(at, at + 4))
    out += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : `\\x${hex(c).slice(2)}`;
  return `"${out}"`;
}

function startsWith(b: Uint8Array, at: number, text: string): boolean {
  return b.length >= at + text.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0));
}

/** A four-letter chunk type as the big-endian number its bytes read as, to compare without strings. */
const fourcc = (text: string): number => u32be(Buffer.from(text, 'latin1'), 0);

// ---------------------------------------------------------------------------------------- PNG

const PNG_SIGNATURE = '\x89PNG\r\n\x1a\n';
const PNG_IDAT = fourcc('IDAT');
const PNG_IEND = fourcc('IEND');
const PNG_EXIF = fourcc('eXIf');
/** Bit depths allowed for each colour type (PNG spec, table 11.1). */
const PNG_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function readPng(b: Uint8Array): ImageSize {
  if (!startsWith(b, 0, PNG_SIGNATURE)) fail('no PNG signature');
  need(b, 8, 25, 'the IHDR chunk');
  if (!startsWith(b, 12, 'IHDR')) fail(`the first chunk is ${tag(b, 12)}, not IHDR`);
  if (u32be(b, 8) !== 13) fail(`IHDR is ${u32be(b, 8)} bytes long, not 13`);
  if (crc32(b.subarray(12, 29)) !== u32be(b, 29)) fail('the IHDR checksum does not match (a garbled header)');
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const [depth, colour, compression, filter, interlace] = b.subarray(24, 29);
  if (width === 0 || height === 0 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1)
    fail(`IHDR gives the size ${width}×${height}`);
  if (!PNG_DEPTHS[colour!]?.includes(depth!)) fail(`IHDR gives colour type ${colour} with bit depth ${depth}`);
  if (compression !== 0 || filter !== 0 || interlace! > 1)
    fail('IHDR names an unknown compression, filter or interlace method');

  // Walk to the image data: it must be there, and an eXIf before it turns the picture.
  let turned: boolean | null = null;
  for (let at = 33; ;) {
    if (at >= b.length) fail('the file ends before any IDAT chunk');
    if (at + 8 > b.length) truncated(b, at + 8, `the chunk header at byte ${at}`);
    const length = u32be(b, at);
    const type = u32be(b, at + 4);
    if (length > 2 ** 31 - 1) fail(`the chunk ${tag(b, at + 4)} at byte ${at} claims ${length} bytes`);
    if (type === PNG_IDAT) break;
    if (type === PNG_IEND) fail('IEND before any IDAT chunk');
    if (at + 12 + length > b.length)
      truncated(b, at + 12 + length, `the chunk ${tag(b, at + 4)} at byte ${at} (${length} bytes)`);
    if (turned === null && type === PNG_EXIF) turned = exifTurnsQuarter(b.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return turned ? { width: height, height: width } : { width, height };
}

// ---------------------------------------------------------------------------------------- GIF

function readGif(b: Uint8Array): ImageSize {
  if (!startsWith(b, 0, 'GIF87a') && !startsWith(b, 0, 'GIF89a')) fail('no GIF87a/GIF89a signature');
  need(b, 6, 7, 'the logical screen descriptor');
  const screenWidth = u16le(b, 6);
  const screenHeight = u16le(b, 8);
  const flags = b[10]!;
  let at = 13 + (flags & 0x80 ? 3 * (2 << (flags & 7)) : 0);
  // Browsers enlarge the screen to hold the first frame (Chromium does; frames may lie outside
  // the screen, or the screen may be 0×0), so the first image descriptor counts too.
  for (;;) {
    if (at >= b.length) truncated(b, at + 1, `the block at byte ${at} (before any image)`);
    const block = b[at]!;
    if (block === 0x2c) {
      need(b, at, 10, `the image descriptor at byte ${at}`);
      const width = Math.max(screenWidth, u16le(b, at + 1) + u16le(b, at + 5));
      const height = Math.max(screenHeight, u16le(b, at + 3) + u16le(b, at + 7));
      if (width === 0 || height === 0) fail(`the screen and first frame are ${width}×${height}`);
      return { width, height };
    }
    if (block === 0x3b) fail('the trailer comes before any image');
    if (block !== 0x21) fail(`unknown block ${hex(block)} at byte ${at}`);
    // Extension: introducer, label, then data sub-blocks until one of length 0.
    at += 2;
    for (;;) {
      if (at >= b.length) truncated(b, at + 1, `the extension sub-block at byte ${at}`);
      const size = b[at]!;
      at += 1 + size;
      if (size === 0) break;
    }
  }
}

// --------------------------------------------------------------------------------------- JPEG

/** SOF0–SOF15 carry the frame size; 0xC4 (DHT), 0xC8 (JPG) and 0xCC (DAC) share the range. */
const isFrameMarker = (code: number): boolean =>
  code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc;
const markerName = (code: number): string => hex(0xff00 | code, 4);
/** RST0–RST7 and TEM stand alone, without a length. */
const isStandalone = (code: number): boolean => (code >= 0xd0 && code <= 0xd7) || code === 0x01;

/**
 * Walks the marker segments from SOI to the first scan (SOS), as a decoder reads its header: the
 * frame header (SOFn) gives the size, the first Exif APP1 the orientation. Every segment before
 * the scan must lie wholly inside the file.
 */
function readJpeg(b: Uint8Array): ImageSize {
  if (b[0] !== 0xff || b[1] !== 0xd8) fail('no SOI marker');
  let size: ImageSize | null = null;
  let turned: boolean | null = null;
  let at = 2;
  for (;;) {
    if (at >= b.length) fail(`the file ends before ${size ? 'the first scan (SOS)' : 'a frame header (SOFn)'}`);
    if (b[at] !== 0xff) fail(`expected a marker at byte ${at}, found ${hex(b[at]!)}`);
    const markerAt = at;
    // Any number of 0xFF fill bytes may precede a marker (JPEG B.1.1.2).
    while (at < b.length && b[at] === 0xff) at++;
    if (at >= b.length) fail(`the file ends inside the 0xFF fill bytes from byte ${markerAt}`);
    const code = b[at++]!;
    if (isStandalone(code)) continue;
    if (code === 0x00 || code === 0xd8 || code === 0xd9)
      fail(`marker ${markerName(code)} at byte ${markerAt} before ${size ? 'the first scan' : 'a frame header'}`);
    if (at + 2 > b.length) truncated(b, at + 2, `the length of marker ${markerName(code)} at byte ${markerAt}`);
    const length = u16be(b, at);
    if (length < 2) fail(`the segment ${markerName(code)} at byte ${markerAt} has length ${length} (at least 2)`);
    if (at + length > b.length)
      truncated(b, at + length, `the segment ${markerName(code)} at byte ${markerAt} (${length} bytes)`);
    if (code === 0xda) {
      if (!size) fail(`a scan (SOS) at byte ${markerAt} before any frame header (SOFn)`);
      return turned ? { width: size.height, height: size.width } : size;
    }
    if (isFrameMarker(code)) {
      if (size) fail(`a second frame header ${markerName(code)} at byte ${markerAt}`);
      size = readFrameHeader(b, at, length, markerName(code));
    } else if (code === 0xe1 && turned === null && length >= 8 && startsWith(b, at + 2, 'Exif\0\0')) {
      turned = exifTurnsQuarter(b.subarray(at + 8, at + length));
    }
    at += length;
  }
}

/** SOFn: length, precision, height, width, component count, 3 bytes per component (B.2.2). */
function readFrameHeader(b: Uint8Array, at: number, length: number, marker: string): ImageSize {
  if (length < 8) fail(`the frame header ${marker} is ${length} bytes long (at least 8)`);
  const height = u16be(b, at + 3);
  const width = u16be(b, at + 5);
  const components = b[at + 7]!;
  if (components === 0 || length !== 8 + 3 * components)
    fail(`the frame header ${marker} has ${components} components in ${length} bytes (a garbled header)`);
  // Height 0 means "given later by a DNL marker", which browsers do not support.
  if (width === 0 || height === 0) fail(`the frame header ${marker} gives the size ${width}×${height}`);
  return { width, height };
}

// ------------------------------------------------------------------------------------ EXIF/TIFF

/**
 * Whether a TIFF/Exif block's IFD0 Orientation (tag 0x0112) is 5–8, which turns the picture by a
 * quarter: decoders then show it with width and height swapped.
 */
function exifTurnsQuarter(tiff: Uint8Array): boolean {
  return exifOrientation(tiff) >= 5;
}

/**
 * A TIFF/Exif block's IFD0 Orientation (1–8). Broken Exif is metadata a decoder ignores, so this
 * never fails: anything unreadable, or a value outside 1–8, counts as 1 (upright).
 */
export function exifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const little = startsWith(tiff, 0, 'II');
  if (!little && !startsWith(tiff, 0, 'MM')) return 1;
  const u16 = little ? u16le : u16be;
  const u32 = little ? u32le : u32be;
  if (u16(tiff, 2) !== 42) return 1;
  const ifd = u32(tiff, 4);
  if (ifd + 2 > tiff.length) return 1;
  const entries = u16(tiff, ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > tiff.length) return 1;
    if (u16(tiff, entry) !== 0x0112) continue;
    const orientation = u16(tiff, entry + 8);
    return u16(tiff, entry + 2) === 3 && orientation >= 1 && orientation <= 8 ? orientation : 1;
  }
  return 1;
}

// --------------------------------------------------------------------------------------- WebP

const WEBP_VP8 = fourcc('VP8 ');
const WEBP_VP8L = fourcc('VP8L');
const WEBP_VP8X = fourcc('VP8X');
const VP8X_ANIMATION = 0x02;

/**
 * RIFF container: the first chunk is the simple lossy (VP8), simple lossless (VP8L) or
 * extended (VP8X) format. An extended still image must have a bitstream of the canvas size
 * (libwebp refuses it otherwise); an animation's frames lie inside the canvas.
 */
function readWebp(b: Uint8Array): ImageSize {
  if (!startsWith(b, 0, 'RIFF') || !startsWith(b, 8, 'WEBP')) fail('no RIFF/WEBP header');
  need(b, 12, 8, 'the first chunk header');
  const riffSize = u32le(b, 4);
  if (riffSize < 12) fail(`the RIFF header claims ${riffSize} bytes, less than one chunk`);
  if (8 + riffSize > b.length) fail(`the RIFF header claims ${8 + riffSize} bytes, the file has ${b.length}`);
  const end = 8 + riffSize;
  const chunk = (at: number): { type: number; data: number; size: number } => {
    if (at + 8 > end) fail(`the file ends inside the chunk header at byte ${at}`);
    const size = u32le(b, at + 4);
    if (at + 8 + size > end) fail(`the chunk ${tag(b, at)} at byte ${at} claims ${size} bytes, ${end - at - 8} remain`);
    return { type: u32be(b, at), data: at + 8, size };
  };
  const first = chunk(12);
  if (first.type === WEBP_VP8) return readVp8(b, first.data, first.size);
  if (first.type === WEBP_VP8L) return readVp8l(b, first.data, first.size);
  if (first.type !== WEBP_VP8X) fail(`the first chunk is ${tag(b, 12)}, not VP8, VP8L or VP8X`);
  if (first.size < 10) fail(`VP8X is ${first.size} bytes long (at least 10)`);
  const canvas = { width: u24le(b, first.data + 4) + 1, height: u24le(b, first.data + 7) + 1 };
  if (canvas.width * canvas.height > 2 ** 32 - 1) fail(`the canvas ${canvas.width}×${canvas.height} is too large`);
  if (b[first.data]! & VP8X_ANIMATION) return canvas;
  for (let at = first.data + first.size + (first.size & 1); ;) {
    if (at >= end) fail('an extended still image without a VP8 or VP8L chunk');
    const next = chunk(at);
    const image =
      next.type === WEBP_VP8
        ? readVp8(b, next.data, next.size)
        : next.type === WEBP_VP8L
          ? readVp8l(b, next.data, next.size)
          : null;
    if (image) {
      if (image.width !== canvas.width || image.height !== canvas.height)
        fail(`the canvas is ${canvas.width}×${canvas.height} but the image ${image.width}×${image.height}`);
      return canvas;
    }
    at = next.data + next.size + (next.size & 1);
  }
}

/** VP8 key frame header (RFC 6386 §9.1): 3-byte frame tag, start code, 14-bit width and height. */
function readVp8(b: Uint8Array, at: number, size: number): ImageSize {
  if (size < 10) fail(`the VP8 chunk is ${size} bytes long (at least 10)`);
  const frameTag = u24le(b, at);
  if (frameTag & 1) fail('the VP8 bitstream does not start with a key frame');
  if (((frameTag >> 1) & 7) > 3) fail(`unknown VP8 version ${(frameTag >> 1) & 7}`);
  if (!((frameTag >> 4) & 1)) fail('the VP8 key frame is not shown');
  if (frameTag >>> 5 >= size) fail(`the first VP8 partition claims ${frameTag >>> 5} bytes of a ${size}-byte chunk`);
  if (b[at + 3] !== 0x9d || b[at + 4] !== 0x01 || b[at + 5] !== 0x2a) fail('no VP8 start code');
  // The top two bits are an upscaling hint that decoders ignore.
  const width = u16le(b, at + 6) & 0x3fff;
  const height = u16le(b, at + 8) & 0x3fff;
  if (width === 0 || height === 0) fail(`the VP8 frame is ${width}×${height}`);
  return { width, height };
}

/** VP8L header: signature 0x2F, then 14 bits width − 1, 14 bits height − 1, alpha, 3-bit version 0. */
function readVp8l(b: Uint8Array, at: number, size: number): ImageSize {
  if (size < 5) fail(`the VP8L chunk is ${size} bytes long (at least 5)`);
  if (b[at] !== 0x2f) fail('no VP8L signature');
  const bits = u32le(b, at + 1);
  if (bits >>> 29 !== 0) fail(`unknown VP8L version ${bits >>> 29}`);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}
