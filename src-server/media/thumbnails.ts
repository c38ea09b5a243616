import pLimit from 'p-limit';
import { makeThumbnail, type ImageLimits } from './images';
import { mimeOfMediaName, type MediaMime } from './names';
import type { MediaStore } from './types';

export interface MediaObject {
  /** The stored object to serve. */
  name: string;
  mime: MediaMime;
}

/**
 * Thumbnails are made on first request and stored beside the image as `<sha256>.thumb.webp`, so
 * every node (and every later request) serves the stored one; old images get thumbnails too.
 * Requests for the same image while its thumbnail is being made share that one resize. What each
 * image's thumbnail is (the stored WebP, or the image itself when small, animated or undecodable) is
 * remembered, up to `maxRemembered` images, so a repeated request costs the store one read, not two.
 */
export class Thumbnails {
  private readonly making = new Map<string, Promise<MediaObject | null>>();
  private readonly resolved = new Map<string, MediaObject>();
  /**
   * Resizes run on libuv's small thread pool, which sign-in (scrypt) and file access share: a burst
   * of first views (a busy conversation opened by many staff) must not queue those behind it.
   */
  private readonly slots: ReturnType<typeof pLimit>;

  constructor(
    private readonly media: MediaStore,
    private readonly limits: ImageLimits,
    private readonly logger: { warn(fields: object, message: string): void },
    private readonly maxRemembered = 4_096,
    maxConcurrent = 2,
  ) {
    this.slots = pLimit(maxConcurrent);
  }

  /** What to serve as the thumbnail of the image `name`; null when there is no such image. */
  async of(name: string): Promise<MediaObject | null> {
    const mime = mimeOfMediaName(name);
    if (mime === null) return null;
    const known = this.resolved.get(name);
    if (known) return known;
    const derived = thumbnailName(name);
    if (await this.media.has(derived)) return this.remember(name, { name: derived, mime: 'image/webp' });
    let pending = this.making.get(name);
    if (!pending) {
      pending = this.slots(() => this.make(name, mime)).finally(() => this.making.delete(name));
      this.making.set(name, pending);
    }
    const made = await pending;
    return made && this.remember(name, made);
  }

  private async make(name: string, mime: MediaMime): Promise<MediaObject | null> {
    const original = await this.media.read(name);
    if (original === null) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of original.body) chunks.push(chunk as Buffer);
    let thumbnail: Buffer | null;
    try {
      thumbnail = await makeThumbnail(Buffer.concat(chunks), this.limits);
    } catch (err) {
      this.logger.warn({ name, err: (err as Error).message }, 'thumbnail could not be made; serving the image');
      thumbnail = null;
    }
    if (thumbnail === null) return { name, mime };
    const derived = thumbnailName(name);
    await this.media.put(derived, thumbnail);
    return { name: derived, mime: 'image/webp' };
  }

  private remember(name: string, object: MediaObject): MediaObject {
    this.resolved.set(name, object);
    if (this.resolved.size > this.maxRemembered) this.resolved.delete(this.resolved.keys().next().value!);
    return object;
  }
}

/** `<sha256>.thumb.webp` for `<sha256>.<ext>`: not a media name a client can upload or send. */
export function thumbnailName(name: string): string {
  return `${name.split('.')[0]!}.thumb.webp`;
}
