import sharp, { type Metadata, type Sharp } from 'sharp';
import { stripJpegMetadata } from './jpeg-strip';
import type { MediaMime } from './names';

/** Longest side of a thumbnail: a chat bubble is at most 260 CSS px wide, drawn at up to 2× on HiDPI screens. */
export const THUMB_MAX_SIDE = 520;

export interface ImageLimits {
  /** Canvas pixels (width × height) of one picture. */
  maxPixels: number;
  /** Canvas pixels times frames of an animation: every frame is decoded again on every loop. */
  maxAnimationPixels: number;
}

export type PreparedUpload = { bytes: Buffer; cleaned: boolean } | { refusal: string };

/**
 * What the server stores for an upload whose header already passed `measureUpload`: the picture
 * without metadata a recipient should not get — EXIF (camera, time, GPS position), XMP, IPTC, PNG
 * text. JPEGs (nearly every photo) lose it losslessly, keeping their orientation (jpeg-strip.ts).
 * Other still pictures that carry metadata are re-encoded without it, turned upright and keeping
 * their colour profile. Pictures without metadata, and animations, are stored byte for byte.
 * Refused: what the decoder cannot read, and animations beyond `maxAnimationPixels`.
 */
export async function prepareUpload(bytes: Buffer, mime: MediaMime, limits: ImageLimits): Promise<PreparedUpload> {
  if (mime === 'image/jpeg') {
    // Always walked, without a decoder: pictures appended after the end (and their EXIF) would
    // leave no trace in the decoder's metadata anyway.
    const stripped = stripJpegMetadata(bytes);
    if (stripped !== null) return { bytes: stripped, cleaned: !stripped.equals(bytes) };
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: limits.maxPixels }).metadata();
  } catch (err) {
    return { refusal: `the ${mime} image cannot be decoded: ${(err as Error).message}` };
  }
  const frames = meta.pages ?? 1;
  if (frames > 1) {
    const total = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0) * frames;
    if (total > limits.maxAnimationPixels)
      return {
        refusal: `the animation has ${frames} frames of ${meta.width}×${meta.pageHeight ?? meta.height} pixels (${total} in all); at most ${limits.maxAnimationPixels} are accepted`,
      };
    return { bytes, cleaned: false };
  }
  if (!carriesMetadata(meta)) return { bytes, cleaned: false };
  try {
    const upright = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' }).autoOrient().keepIccProfile();
    return { bytes: await encodeAs(upright, mime).toBuffer(), cleaned: true };
  } catch (err) {
    return { refusal: `the ${mime} image cannot be decoded: ${(err as Error).message}` };
  }
}

function carriesMetadata(meta: Metadata): boolean {
  return (
    meta.exif !== undefined ||
    meta.xmp !== undefined ||
    meta.iptc !== undefined ||
    (meta.comments?.length ?? 0) > 0 ||
    (meta.orientation ?? 1) !== 1
  );
}

/** Same type out as in, at a quality where a second encode is not visible; PNG stays lossless. */
function encodeAs(image: Sharp, mime: MediaMime): Sharp {
  switch (mime) {
    case 'image/jpeg':
      return image.jpeg({ quality: 92, chromaSubsampling: '4:4:4' });
    case 'image/png':
      return image.png();
    case 'image/webp':
      return image.webp({ quality: 92 });
    case 'image/gif':
      return image.gif();
  }
}

/**
 * A WebP of at most THUMB_MAX_SIDE on its longest side for a stored image, or null when the image
 * should be shown as it is: already that small, or animated (a still of its first frame would hide
 * the animation). Throws when the stored bytes cannot be decoded.
 */
export async function makeThumbnail(bytes: Buffer, limits: ImageLimits): Promise<Buffer | null> {
  const image = sharp(bytes, { limitInputPixels: limits.maxPixels });
  const meta = await image.metadata();
  const [width, height] = [meta.autoOrient?.width ?? meta.width ?? 0, meta.autoOrient?.height ?? meta.height ?? 0];
  if ((meta.pages ?? 1) > 1 || Math.max(width, height) <= THUMB_MAX_SIDE) return null;
  return image
    .autoOrient()
    .resize({ width: THUMB_MAX_SIDE, height: THUMB_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}
