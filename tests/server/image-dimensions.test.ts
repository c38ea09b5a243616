import { describe, expect, it } from 'vitest';
import { measureUpload } from '../../src-server/gateway/media';
import { readImageSize, type SizeReading } from '../../src-server/media/dimensions';
import type { MediaMime } from '../../src-server/media/names';
import {
  IMAGES,
  PNG_SIGNATURE,
  exifSegment,
  gifImage,
  jpegImage,
  jpegSegment,
  pngChunk,
  pngImage,
  tiffOrientation,
  webpChunk,
  webpExtended,
  webpFile,
  webpLossless,
  webpLossy,
} from '../support/media';

// The images of the first block are complete files that Chromium decodes to the size asserted here
// (each was loaded in Debian's Chromium — naturalWidth/Height and createImageBitmap — when these
// tests were written; the 16384×16384 bomb was not tried). The second block breaks them on purpose.

const ok = (width: number, height: number): SizeReading => ({ ok: true, width, height });

function refused(bytes: Uint8Array, mime: MediaMime): string {
  const reading = readImageSize(bytes, mime);
  if (reading.ok) throw new Error(`expected a refusal, got ${reading.width}×${reading.height}`);
  return reading.reason;
}

/** A copy of `bytes` with `values` written at `at`. */
function patched(bytes: Uint8Array, at: number, values: number[]): Buffer {
  const copy = Buffer.from(bytes);
  values.forEach((v, i) => (copy[at + i] = v));
  return copy;
}

const u16be = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const ihdr = (width: number, height: number, rest = [8, 0, 0, 0, 0]): Buffer =>
  Buffer.from([
    ...u16be(width >>> 16),
    ...u16be(width & 0xffff),
    ...u16be(height >>> 16),
    ...u16be(height & 0xffff),
    ...rest,
  ]);
/** A PNG whose IHDR data (with a correct checksum) is `data`, followed by a real IDAT. */
const pngWithIhdr = (data: Buffer, type = 'IHDR'): Buffer =>
  Buffer.concat([PNG_SIGNATURE, pngChunk(type, data), pngImage(1, 1).subarray(33)]);

/** Deterministic bytes for the fuzz cases (the seed is in the test name, so a failure replays). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('readImageSize on real images', () => {
  it('PNG: IHDR, at any size', () => {
    expect(readImageSize(IMAGES['image/png'], 'image/png')).toEqual(ok(1, 1));
    expect(readImageSize(pngImage(3, 2), 'image/png')).toEqual(ok(3, 2));
    expect(readImageSize(pngImage(1, 300), 'image/png')).toEqual(ok(1, 300));
    expect(readImageSize(pngImage(20_001, 1), 'image/png')).toEqual(ok(20_001, 1));
  });

  it('GIF: the logical screen, grown to hold the first frame as browsers show it', () => {
    expect(readImageSize(IMAGES['image/gif'], 'image/gif')).toEqual(ok(1, 1));
    expect(readImageSize(gifImage(7, 5), 'image/gif')).toEqual(ok(7, 5));
    expect(readImageSize(gifImage(3, 2, { screen: { width: 10, height: 10 } }), 'image/gif')).toEqual(ok(10, 10));
    expect(readImageSize(gifImage(4, 3, { screen: { width: 1, height: 1 } }), 'image/gif')).toEqual(ok(4, 3));
    expect(readImageSize(gifImage(2, 2, { screen: { width: 1, height: 1 }, left: 5, top: 5 }), 'image/gif')).toEqual(
      ok(7, 7),
    );
    expect(readImageSize(gifImage(3, 2, { screen: { width: 0, height: 0 } }), 'image/gif')).toEqual(ok(3, 2));
    // A comment extension of several sub-blocks and an application extension before the frame.
    const comment = Buffer.concat([
      Buffer.from([0x21, 0xfe, 255]),
      Buffer.alloc(255, 0x41),
      Buffer.from([3, 1, 2, 3, 0]),
    ]);
    const netscape = Buffer.from([0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0'), 3, 1, 0, 0, 0]);
    expect(readImageSize(gifImage(6, 4, { before: [comment, netscape] }), 'image/gif')).toEqual(ok(6, 4));
    // GIF87a, no global colour table.
    const plain = Buffer.from(gifImage(2, 3));
    plain.write('GIF87a', 0, 'latin1');
    const noTable = Buffer.concat([plain.subarray(0, 10), Buffer.from([0, 0, 0]), plain.subarray(19)]);
    expect(readImageSize(noTable, 'image/gif')).toEqual(ok(2, 3));
  });

  it('JPEG: the frame header of baseline, extended and progressive files, past any segments and fill bytes', () => {
    expect(readImageSize(IMAGES['image/jpeg'], 'image/jpeg')).toEqual(ok(1, 1));
    expect(readImageSize(jpegImage(17, 9), 'image/jpeg')).toEqual(ok(17, 9));
    expect(readImageSize(jpegImage(17, 9, { sof: 0xc1 }), 'image/jpeg')).toEqual(ok(17, 9));
    expect(readImageSize(jpegImage(17, 9, { sof: 0xc2 }), 'image/jpeg')).toEqual(ok(17, 9));
    expect(readImageSize(jpegImage(65_500, 1), 'image/jpeg')).toEqual(ok(65_500, 1)); // libjpeg's largest side
    expect(readImageSize(jpegImage(17, 9, { fillBeforeSof: 5000 }), 'image/jpeg')).toEqual(ok(17, 9));
    const segments = [
      jpegSegment(0xfe, Buffer.from('a comment')),
      jpegSegment(0xe2, Buffer.alloc(65_533, 0xff)), // the largest segment, all 0xFF (not markers)
      jpegSegment(0xe1, Buffer.from('http://ns.adobe.com/xap/1.0/\0<x/>')),
      jpegSegment(0xdd, Buffer.from([0, 4])), // DRI
      Buffer.from([0xff, 0xd0, 0xff, 0x01]), // RST0 and TEM stand alone, without a length
      jpegSegment(0xc4, Buffer.concat([Buffer.from([0x11, 1]), Buffer.alloc(15), Buffer.from([0])])), // DHT, not a frame
    ];
    expect(readImageSize(jpegImage(40, 30, { before: segments }), 'image/jpeg')).toEqual(ok(40, 30));
  });

  it('JPEG: the first Exif orientation of 5–8 swaps width and height, as browsers turn the picture', () => {
    for (const order of ['MM', 'II'] as const)
      for (let orientation = 1; orientation <= 8; orientation++) {
        const image = jpegImage(17, 9, { before: [exifSegment(orientation, order)] });
        expect(readImageSize(image, 'image/jpeg'), `${order} ${orientation}`).toEqual(
          orientation >= 5 ? ok(9, 17) : ok(17, 9),
        );
      }
    expect(readImageSize(jpegImage(17, 9, { before: [exifSegment(1), exifSegment(6)] }), 'image/jpeg')).toEqual(
      ok(17, 9),
    );
    expect(readImageSize(jpegImage(17, 9, { before: [exifSegment(6), exifSegment(1)] }), 'image/jpeg')).toEqual(
      ok(9, 17),
    );
    // Broken Exif is ignored metadata, not a broken image.
    const exif = (tiff: Buffer): Buffer => jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), tiff]));
    const brokenExif = [
      exif(Buffer.from('XX')),
      exif(tiffOrientation(6).subarray(0, 12)),
      exif(patched(tiffOrientation(6), 4, [0xff, 0xff, 0xff, 0xf0])), // IFD0 far past the end
      exif(patched(tiffOrientation(6), 8, [0, 0])), // no entries
      exif(Buffer.concat([patched(tiffOrientation(1), 8, [0xff, 0xff]), tiffOrientation(6).subarray(10, 22)])), // 65535 entries: the first Orientation (1) counts
      exif(tiffOrientation(6, 'MM', 4)), // LONG, not SHORT
      exif(tiffOrientation(9)),
      jpegSegment(0xe1, Buffer.from('Exif')), // shorter than its own signature
    ];
    for (const [i, segment] of brokenExif.entries())
      expect(readImageSize(jpegImage(17, 9, { before: [segment] }), 'image/jpeg'), `broken ${i}`).toEqual(ok(17, 9));
    // A count beyond the block is read as far as the block goes.
    const pastEnd = exif(Buffer.concat([patched(tiffOrientation(6), 8, [0xff, 0xff]), Buffer.alloc(12)]));
    expect(readImageSize(jpegImage(17, 9, { before: [pastEnd] }), 'image/jpeg')).toEqual(ok(9, 17));
  });

  it('PNG: an eXIf orientation before the image data turns it; after IDAT it does not', () => {
    expect(readImageSize(pngImage(5, 3, { before: [pngChunk('eXIf', tiffOrientation(6))] }), 'image/png')).toEqual(
      ok(3, 5),
    );
    expect(readImageSize(pngImage(5, 3, { before: [pngChunk('eXIf', tiffOrientation(3))] }), 'image/png')).toEqual(
      ok(5, 3),
    );
    expect(readImageSize(pngImage(5, 3, { after: [pngChunk('eXIf', tiffOrientation(6))] }), 'image/png')).toEqual(
      ok(5, 3),
    );
    const text = pngChunk('tEXt', Buffer.from('Comment\0hello'));
    expect(readImageSize(pngImage(5, 3, { before: [text, text] }), 'image/png')).toEqual(ok(5, 3));
  });

  it('WebP: lossy (VP8), lossless (VP8L) and extended (VP8X) files', () => {
    expect(readImageSize(IMAGES['image/webp'], 'image/webp')).toEqual(ok(1, 1));
    expect(readImageSize(webpLossless(5, 3), 'image/webp')).toEqual(ok(5, 3));
    expect(readImageSize(webpLossless(16_384, 16_384), 'image/webp')).toEqual(ok(16_384, 16_384));
    expect(readImageSize(webpLossy(33, 17), 'image/webp')).toEqual(ok(33, 17));
    expect(readImageSize(webpLossy(1, 1), 'image/webp')).toEqual(ok(1, 1));
    expect(readImageSize(webpExtended(5, 3), 'image/webp')).toEqual(ok(5, 3));
    expect(readImageSize(webpExtended(33, 17, { codec: 'VP8' }), 'image/webp')).toEqual(ok(33, 17));
    const iccp = webpChunk('ICCP', Buffer.alloc(7)); // odd size: padded
    expect(readImageSize(webpExtended(5, 3, { before: [iccp] }), 'image/webp')).toEqual(ok(5, 3));
    // Chromium ignores a WebP's EXIF orientation.
    const exif = webpChunk('EXIF', tiffOrientation(6));
    expect(readImageSize(webpExtended(5, 3, { before: [exif] }), 'image/webp')).toEqual(ok(5, 3));
    // An animation is as large as its canvas.
    const animated = webpExtended(5, 3, { animated: true, canvas: { width: 7, height: 4 } });
    expect(readImageSize(animated, 'image/webp')).toEqual(ok(7, 4));
  });
});

describe('readImageSize refuses what no decoder can show', () => {
  it('bytes of another type or none at all', () => {
    expect(refused(new Uint8Array(), 'image/png')).toBe('no PNG signature');
    expect(refused(IMAGES['image/jpeg'], 'image/png')).toBe('no PNG signature');
    expect(refused(IMAGES['image/png'], 'image/jpeg')).toBe('no SOI marker');
    expect(refused(IMAGES['image/png'], 'image/gif')).toBe('no GIF87a/GIF89a signature');
    expect(refused(IMAGES['image/png'], 'image/webp')).toBe('no RIFF/WEBP header');
    expect(refused(Buffer.from('RIFF\x1a\0\0\0WAVEfmt '), 'image/webp')).toBe('no RIFF/WEBP header');
  });

  it('every truncation before the pixel data, and only those', () => {
    const cases: Array<[MediaMime, Buffer, number, SizeReading]> = [];
    const png = pngImage(5, 3, { before: [pngChunk('eXIf', tiffOrientation(6))] });
    cases.push(['image/png', png, png.indexOf('IDAT') + 4, ok(3, 5)]);
    const jpeg = jpegImage(17, 9, { before: [exifSegment(6)], fillBeforeSof: 3 });
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    cases.push(['image/jpeg', jpeg, sos + 2 + jpeg.readUInt16BE(sos + 2), ok(9, 17)]);
    const gif = gifImage(4, 3, { before: [Buffer.from([0x21, 0xfe, 2, 0x41, 0x42, 0])] });
    cases.push(['image/gif', gif, gif.indexOf(0x2c, 13) + 10, ok(4, 3)]);
    // WebP: the RIFF size says how long the file is, so any cut is a truncation.
    for (const webp of [
      webpLossy(33, 17),
      webpLossless(5, 3),
      webpExtended(5, 3),
      webpExtended(5, 3, { animated: true }),
    ])
      cases.push(['image/webp', webp, webp.length, readImageSize(webp, 'image/webp')]);
    for (const [mime, bytes, headerEnd, size] of cases) {
      expect(size.ok, mime).toBe(true);
      for (let length = 0; length <= bytes.length; length++) {
        const reading = readImageSize(bytes.subarray(0, length), mime);
        expect(reading, `${mime} cut at ${length} of ${bytes.length}`).toEqual(
          length < headerEnd ? { ok: false, reason: expect.any(String) } : size,
        );
      }
    }
    expect(refused(jpeg.subarray(0, 30), 'image/jpeg')).toMatch(/^the file ends inside the segment 0xFFE1 at byte 20/);
    expect(refused(png.subarray(0, 20), 'image/png')).toBe(
      'the file ends inside the IHDR chunk (33 bytes needed, the file has 20)',
    );
  });

  it('JPEG: lengths that run past the end, lengths 0 and 1, endless fill bytes, markers out of place', () => {
    const soi = Buffer.from([0xff, 0xd8]);
    const tail = jpegImage(8, 8).subarray(2);
    const at = (...parts: Buffer[]): Buffer => Buffer.concat([soi, ...parts]);
    expect(refused(at(Buffer.from([0xff, 0xe1, 0xff, 0xff, 1, 2, 3])), 'image/jpeg')).toBe(
      'the file ends inside the segment 0xFFE1 at byte 2 (65535 bytes) (65539 bytes needed, the file has 9)',
    );
    for (const length of [0, 1])
      expect(refused(at(Buffer.from([0xff, 0xe0, 0, length]), tail), 'image/jpeg')).toBe(
        `the segment 0xFFE0 at byte 2 has length ${length} (at least 2)`,
      );
    expect(refused(at(Buffer.from([0xff, 0xe0, 0])), 'image/jpeg')).toMatch(/ends inside the length of marker 0xFFE0/);

    // A megabyte of fill bytes is walked once, in linear time, and ends at the end of the file.
    const fill = at(Buffer.alloc(1 << 20, 0xff));
    const started = performance.now();
    expect(refused(fill, 'image/jpeg')).toBe('the file ends inside the 0xFF fill bytes from byte 2');
    expect(performance.now() - started).toBeLessThan(500);
    // So are 30 000 empty segments.
    const many = at(Buffer.concat(Array.from({ length: 30_000 }, () => Buffer.from([0xff, 0xfe, 0, 2]))), tail);
    expect(readImageSize(many, 'image/jpeg')).toEqual(ok(8, 8));

    expect(refused(soi, 'image/jpeg')).toBe('the file ends before a frame header (SOFn)');
    expect(refused(at(Buffer.from([0x00])), 'image/jpeg')).toBe('expected a marker at byte 2, found 0x00');
    expect(refused(at(Buffer.from([0xff, 0xd9])), 'image/jpeg')).toBe('marker 0xFFD9 at byte 2 before a frame header');
    expect(refused(at(Buffer.from([0xff, 0xd8]), tail), 'image/jpeg')).toBe(
      'marker 0xFFD8 at byte 2 before a frame header',
    );
    expect(refused(at(Buffer.from([0xff, 0x00]), tail), 'image/jpeg')).toBe(
      'marker 0xFF00 at byte 2 before a frame header',
    );
    expect(refused(at(Buffer.from([0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0])), 'image/jpeg')).toBe(
      'a scan (SOS) at byte 2 before any frame header (SOFn)',
    );
    const frame = (data: number[]): Buffer => jpegSegment(0xc0, Buffer.from(data));
    expect(refused(at(frame([8, 0, 0, 0, 8, 1, 1, 0x11, 0]), tail), 'image/jpeg')).toBe(
      'the frame header 0xFFC0 gives the size 8×0',
    );
    expect(refused(at(frame([8, 0, 8, 0, 8, 2, 1, 0x11, 0]), tail), 'image/jpeg')).toBe(
      'the frame header 0xFFC0 has 2 components in 11 bytes (a garbled header)',
    );
    expect(refused(at(frame([8, 0, 8, 0]), tail), 'image/jpeg')).toBe(
      'the frame header 0xFFC0 is 6 bytes long (at least 8)',
    );
    expect(refused(at(frame([8, 0, 8, 0, 8, 1, 1, 0x11, 0]), tail), 'image/jpeg')).toMatch(
      /^a second frame header 0xFFC0/,
    );
    // A frame header and then nothing: no scan, nothing to show.
    expect(refused(jpegImage(8, 8).subarray(0, jpegImage(8, 8).indexOf(Buffer.from([0xff, 0xc4]))), 'image/jpeg')).toBe(
      'the file ends before the first scan (SOS)',
    );
  });

  it('PNG: garbled or impossible headers, broken chunks before the image data', () => {
    expect(refused(patched(pngImage(3, 2), 17, [0x99]), 'image/png')).toBe(
      'the IHDR checksum does not match (a garbled header)',
    );
    expect(refused(pngWithIhdr(ihdr(3, 2), 'CgBI'), 'image/png')).toBe('the first chunk is "CgBI", not IHDR');
    expect(refused(pngWithIhdr(Buffer.from([...ihdr(3, 2), 0])), 'image/png')).toBe('IHDR is 14 bytes long, not 13');
    expect(refused(pngWithIhdr(ihdr(0, 2)), 'image/png')).toBe('IHDR gives the size 0×2');
    expect(refused(pngWithIhdr(ihdr(2 ** 31, 2)), 'image/png')).toBe('IHDR gives the size 2147483648×2');
    expect(refused(pngWithIhdr(ihdr(3, 2, [16, 3, 0, 0, 0])), 'image/png')).toBe(
      'IHDR gives colour type 3 with bit depth 16',
    );
    expect(refused(pngWithIhdr(ihdr(3, 2, [8, 0, 0, 0, 2])), 'image/png')).toBe(
      'IHDR names an unknown compression, filter or interlace method',
    );
    const head = pngImage(3, 2).subarray(0, 33);
    expect(refused(head, 'image/png')).toBe('the file ends before any IDAT chunk');
    expect(refused(Buffer.concat([head, pngChunk('IEND', Buffer.alloc(0))]), 'image/png')).toBe(
      'IEND before any IDAT chunk',
    );
    expect(refused(Buffer.concat([head, Buffer.from([0x80, 0, 0, 0]), Buffer.from('tEXt')]), 'image/png')).toBe(
      'the chunk "tEXt" at byte 33 claims 2147483648 bytes',
    );
    expect(refused(Buffer.concat([head, Buffer.from([0, 0, 1, 0]), Buffer.from('tEXtabc')]), 'image/png')).toBe(
      'the file ends inside the chunk "tEXt" at byte 33 (256 bytes) (301 bytes needed, the file has 44)',
    );
    // Chunk names in messages never carry raw bytes.
    expect(refused(pngWithIhdr(ihdr(3, 2), '\x00\x1b"\\'), 'image/png')).toBe(
      'the first chunk is "\\x00\\x1B\\x22\\x5C", not IHDR',
    );
  });

  it('GIF: truncated tables, unknown blocks, no image, nothing to show', () => {
    const gif = gifImage(3, 2);
    expect(refused(gif.subarray(0, 12), 'image/gif')).toBe(
      'the file ends inside the logical screen descriptor (13 bytes needed, the file has 12)',
    );
    expect(refused(gif.subarray(0, 16), 'image/gif')).toBe(
      'the file ends inside the block at byte 19 (before any image) (20 bytes needed, the file has 16)',
    );
    expect(refused(patched(gif, 10, [0x87]), 'image/gif')).toMatch(/^the file ends inside the block at byte 781/);
    expect(refused(patched(gif, 19, [0x99]), 'image/gif')).toBe('unknown block 0x99 at byte 19');
    expect(refused(patched(gif, 19, [0x3b]), 'image/gif')).toBe('the trailer comes before any image');
    const endless = Buffer.concat([gif.subarray(0, 19), Buffer.from([0x21, 0xfe, 200, 1, 2])]);
    expect(refused(endless, 'image/gif')).toBe(
      'the file ends inside the extension sub-block at byte 222 (223 bytes needed, the file has 24)',
    );
    expect(refused(gifImage(0, 0, { screen: { width: 0, height: 5 } }), 'image/gif')).toBe(
      'the screen and first frame are 0×5',
    );
  });

  it('WebP: sizes that lie, unknown chunks, frames that are not key frames, canvases that do not match', () => {
    const lossy = webpLossy(33, 17);
    const vp8 = 20; // the VP8 bitstream, after RIFF header and chunk header
    expect(refused(patched(lossy, 4, [0xff, 0xff, 0, 0]), 'image/webp')).toBe(
      `the RIFF header claims 65543 bytes, the file has ${lossy.length}`,
    );
    expect(refused(patched(lossy, 4, [4, 0, 0, 0]), 'image/webp')).toBe(
      'the RIFF header claims 4 bytes, less than one chunk',
    );
    expect(refused(patched(lossy, 16, [0xff, 0xff, 0, 0]), 'image/webp')).toMatch(
      /^the chunk "VP8 " at byte 12 claims 65535 bytes/,
    );
    expect(refused(webpFile([webpChunk('ALPH', Buffer.alloc(4))]), 'image/webp')).toBe(
      'the first chunk is "ALPH", not VP8, VP8L or VP8X',
    );
    expect(refused(patched(lossy, vp8, [lossy[vp8]! | 1]), 'image/webp')).toBe(
      'the VP8 bitstream does not start with a key frame',
    );
    expect(refused(patched(lossy, vp8, [lossy[vp8]! | 0x0e]), 'image/webp')).toBe('unknown VP8 version 7');
    expect(refused(patched(lossy, vp8, [lossy[vp8]! & ~0x10]), 'image/webp')).toBe('the VP8 key frame is not shown');
    expect(refused(patched(lossy, vp8, [0x10, 0xff, 0xff]), 'image/webp')).toMatch(
      /^the first VP8 partition claims 524280 bytes/,
    );
    expect(refused(patched(lossy, vp8 + 3, [0x9d, 0x01, 0x2b]), 'image/webp')).toBe('no VP8 start code');
    expect(refused(patched(lossy, vp8 + 6, [0, 0xc0]), 'image/webp')).toBe('the VP8 frame is 0×17');
    expect(refused(webpFile([webpChunk('VP8 ', Buffer.alloc(9))]), 'image/webp')).toBe(
      'the VP8 chunk is 9 bytes long (at least 10)',
    );

    const lossless = webpLossless(5, 3);
    expect(refused(patched(lossless, vp8, [0x2e]), 'image/webp')).toBe('no VP8L signature');
    expect(refused(patched(lossless, vp8 + 4, [lossless[vp8 + 4]! | 0x20]), 'image/webp')).toBe(
      'unknown VP8L version 1',
    );
    expect(refused(webpFile([webpChunk('VP8L', Buffer.from([0x2f, 0, 0]))]), 'image/webp')).toBe(
      'the VP8L chunk is 3 bytes long (at least 5)',
    );

    expect(refused(webpExtended(5, 3, { canvas: { width: 7, height: 4 } }), 'image/webp')).toBe(
      'the canvas is 7×4 but the image 5×3',
    );
    const vp8x = webpExtended(5, 3).subarray(12, 30);
    expect(refused(webpFile([vp8x, webpChunk('ICCP', Buffer.alloc(3))]), 'image/webp')).toBe(
      'an extended still image without a VP8 or VP8L chunk',
    );
    expect(refused(webpFile([webpChunk('VP8X', Buffer.alloc(6))]), 'image/webp')).toBe(
      'VP8X is 6 bytes long (at least 10)',
    );
    const huge = webpFile([webpChunk('VP8X', Buffer.from([2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))]);
    expect(refused(huge, 'image/webp')).toBe('the canvas 16777216×16777216 is too large');
    expect(refused(webpFile([vp8x, Buffer.from('VP8L')]), 'image/webp')).toBe(
      'the file ends inside the chunk header at byte 30',
    );
  });

  it('walks millions of tiny blocks in linear time: 8 MiB of the smallest units of each format', () => {
    const fill = (head: Buffer, unit: number[]): Buffer => {
      const bytes = Buffer.alloc(8 * 1024 * 1024);
      head.copy(bytes);
      for (let at = head.length; at + unit.length <= bytes.length; at += unit.length) bytes.set(unit, at);
      return bytes;
    };
    const webp = fill(webpExtended(1, 1).subarray(0, 30), [...Buffer.from('ICCP'), 0, 0, 0, 0]);
    webp.writeUInt32LE(webp.length - 8, 4);
    const cases: Array<[MediaMime, Buffer]> = [
      ['image/jpeg', fill(Buffer.from([0xff, 0xd8]), [0xff, 0xfe, 0, 2])], // 2 M empty COM segments
      ['image/gif', fill(Buffer.concat([gifImage(1, 1).subarray(0, 19), Buffer.from([0x21, 0xfe])]), [1, 0x41])], // 4 M sub-blocks
      ['image/png', fill(pngImage(1, 1).subarray(0, 33), [0, 0, 0, 0, ...Buffer.from('tEXt'), 0, 0, 0, 0])], // 700 k chunks
      ['image/webp', webp], // 1 M empty chunks
    ];
    for (const [mime, bytes] of cases) {
      const started = performance.now();
      expect(readImageSize(bytes, mime).ok, mime).toBe(false);
      // About 20 ms each on a developer machine; the bound only catches a walk gone quadratic.
      expect(performance.now() - started, mime).toBeLessThan(1500);
    }
  });

  it('never throws, on random bytes behind each signature and on every byte of real images changed', () => {
    const heads: Array<[MediaMime, Buffer]> = [
      ['image/png', pngImage(3, 2).subarray(0, 33)],
      ['image/jpeg', Buffer.from([0xff, 0xd8])],
      ['image/gif', Buffer.from('GIF89a')],
      ['image/webp', Buffer.from('RIFF\0\0\0\0WEBP')],
    ];
    const random = prng(20_240_601);
    for (const [mime, head] of heads)
      for (let i = 0; i < 3000; i++) {
        const tail = Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
        // Mostly markers and small numbers, so the walks go deep rather than fail at once.
        for (let j = 0; j < tail.length; j++)
          if (random() < 0.3) tail[j] = random() < 0.5 ? 0xff : Math.floor(random() * 4);
        const bytes = Buffer.concat([head, tail]);
        if (mime === 'image/webp') bytes.writeUInt32LE(bytes.length - 8, 4);
        const reading = readImageSize(bytes, mime);
        expect(
          reading.ok
            ? Number.isInteger(reading.width * reading.height) && reading.width > 0
            : reading.reason.length > 0,
        ).toBe(true);
      }

    const reals: Array<[MediaMime, Buffer]> = [
      ['image/png', pngImage(5, 3, { before: [pngChunk('eXIf', tiffOrientation(6))] })],
      ['image/gif', gifImage(3, 2)],
      ['image/jpeg', jpegImage(17, 9, { before: [exifSegment(6)] })],
      ['image/webp', webpLossy(17, 9)],
      ['image/webp', webpExtended(5, 3, { before: [webpChunk('ICCP', Buffer.alloc(3))] })],
    ];
    for (const [mime, image] of reals)
      for (let at = 0; at < Math.min(image.length, 120); at++)
        for (const value of [0x00, 0x01, 0xff, image[at]! ^ 0x80]) {
          const reading = readImageSize(patched(image, at, [value]), mime);
          expect(typeof reading.ok, `${mime} byte ${at} = ${value}`).toBe('boolean');
        }
  });
});

describe('measureUpload: what an upload may be', () => {
  it('answers the size read from the image, within the protocol bound and the pixel budget', () => {
    expect(measureUpload(pngImage(640, 480), 'image/png', 40_000_000)).toEqual({ width: 640, height: 480 });
    expect(measureUpload(pngImage(20_000, 1), 'image/png', 40_000_000)).toEqual({ width: 20_000, height: 1 });
    expect(measureUpload(pngImage(20_001, 1), 'image/png', 40_000_000)).toEqual({
      refusal: 'the image is 20001×1 pixels; each side may be at most 20000 pixels',
    });
    expect(measureUpload(jpegImage(1, 65_500), 'image/jpeg', 40_000_000)).toEqual({
      refusal: 'the image is 1×65500 pixels; each side may be at most 20000 pixels',
    });
    // 30 bytes that decode to 268 megapixels.
    expect(measureUpload(webpLossless(16_384, 16_384), 'image/webp', 40_000_000)).toEqual({
      refusal: 'the image is 16384×16384 = 268435456 pixels; at most 40000000 pixels are accepted',
    });
    expect(measureUpload(pngImage(100, 100), 'image/png', 10_000)).toEqual({ width: 100, height: 100 });
    expect(measureUpload(pngImage(100, 101), 'image/png', 10_000)).toEqual({
      refusal: 'the image is 100×101 = 10100 pixels; at most 10000 pixels are accepted',
    });
    expect(measureUpload(IMAGES['image/png'].subarray(0, 20), 'image/png', 10_000)).toEqual({
      refusal:
        'the image/png header cannot be read: the file ends inside the IHDR chunk (33 bytes needed, the file has 20)',
    });
  });
});
