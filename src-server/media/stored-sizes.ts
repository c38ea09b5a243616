import { readImageSize, type ImageSize } from './dimensions';
import { mimeOfMediaName } from './names';
import type { MediaStore } from './types';

/**
 * The real size of images already in the media store, so a `send` carries what the image is, not
 * what a client says it is (the upload answered the real size, but a client may send other
 * numbers). Objects never change, so sizes are remembered; the oldest are forgotten past `max`.
 */
export class StoredImageSizes {
  private readonly known = new Map<string, ImageSize | null>();

  constructor(
    private readonly media: MediaStore,
    private readonly max = 4_096,
  ) {}

  /** The size, or null when there is no such object or its header cannot be read. */
  async of(name: string): Promise<ImageSize | null> {
    const cached = this.known.get(name);
    if (cached !== undefined) return cached;
    const size = await this.measure(name);
    this.known.set(name, size);
    if (this.known.size > this.max) this.known.delete(this.known.keys().next().value!);
    return size;
  }

  private async measure(name: string): Promise<ImageSize | null> {
    const mime = mimeOfMediaName(name);
    const found = mime === null ? null : await this.media.read(name);
    if (mime === null || found === null) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of found.body) chunks.push(chunk as Buffer);
    const reading = readImageSize(Buffer.concat(chunks), mime);
    return reading.ok ? { width: reading.width, height: reading.height } : null;
  }
}
