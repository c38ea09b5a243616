import { exifOrientation } from './dimensions';

/**
 * A JPEG without its metadata, losslessly: the compressed picture is copied byte for byte and only
 * segments that describe the photo rather than draw it are dropped — EXIF (camera, time, GPS),
 * XMP, IPTC and other application segments, comments, and everything after the picture's end
 * (phones append further pictures there, a depth map or HDR gain map, each with EXIF of its own).
 * Kept: JFIF (APP0), the ICC colour profile (APP2 "ICC_PROFILE") and Adobe's colour transform
 * (APP14), which change how the pixels look. The EXIF orientation is written back as a minimal
 * EXIF block holding only that tag, so the picture still shows upright.
 *
 * Written by hand because the decoders we have (sharp) only re-encode, which costs quality, CPU
 * and often size; the small stripping libraries drop the orientation or keep the appended pictures.
 *
 * Returns null when the segment structure cannot be walked (the caller re-encodes instead).
 */
export function stripJpegMetadata(b: Buffer): Buffer | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  const out: Buffer[] = [b.subarray(0, 2), Buffer.alloc(0)]; // [1]: the orientation, once known
  let orientation: number | null = null;
  let pos = 2;
  while (pos < b.length) {
    if (b[pos] !== 0xff) return null;
    while (b[pos + 1] === 0xff) pos++; // fill bytes before a marker
    const marker = b[pos + 1];
    if (marker === undefined) return null;
    if (marker === 0xd9) {
      out.push(b.subarray(pos, pos + 2));
      return Buffer.concat(out);
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      out.push(b.subarray(pos, pos + 2));
      pos += 2;
      continue;
    }
    if (pos + 4 > b.length) return null;
    const end = pos + 2 + b.readUInt16BE(pos + 2);
    if (end < pos + 4 || end > b.length) return null;
    const payload = b.subarray(pos + 4, end);
    if (keeps(marker, payload)) out.push(b.subarray(pos, end));
    else if (orientation === null && marker === 0xe1 && startsWith(payload, 'Exif\0\0')) {
      // The first Exif block is the one decoders (and dimensions.ts) take the orientation from.
      orientation = exifOrientation(payload.subarray(6));
      if (orientation !== 1) out[1] = orientationSegment(orientation);
    }
    pos = marker === 0xda ? scanEnd(b, end) : end;
    if (marker === 0xda) out.push(b.subarray(end, pos));
  }
  // A file cut short inside its picture: browsers draw what there is, and so do we.
  return Buffer.concat(out);
}

const startsWith = (payload: Buffer, text: string): boolean =>
  payload.subarray(0, text.length).equals(Buffer.from(text, 'latin1'));

function keeps(marker: number, payload: Buffer): boolean {
  if (marker === 0xfe) return false; // COM
  if (marker < 0xe0 || marker > 0xef) return true; // tables, frame, scan, restart interval …
  if (marker === 0xe0) return true; // JFIF / JFXX
  if (marker === 0xe2) return startsWith(payload, 'ICC_PROFILE\0');
  if (marker === 0xee) return startsWith(payload, 'Adobe');
  return false;
}

/** Where the entropy-coded data after a scan header ends: the next marker that is not stuffing or a restart. */
function scanEnd(b: Buffer, from: number): number {
  let at = from;
  for (;;) {
    at = b.indexOf(0xff, at);
    if (at < 0 || at + 1 >= b.length) return b.length;
    const next = b[at + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) at += 1;
    else return at;
  }
}

/** APP1 "Exif" with a big-endian TIFF header and one IFD entry: Orientation (0x0112, SHORT). */
function orientationSegment(orientation: number): Buffer {
  const tiff = Buffer.from([
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0x00,
    0x00,
    0x00,
    0x08, // "MM", 42, first IFD at 8
    0x00,
    0x01, // one entry
    0x01,
    0x12,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    orientation,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00, // no next IFD
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}
