import { MEDIA_URL_PATTERN } from '../../src-shared/ipc';

/**
 * Images are shown only when a message names one of the signed-in server's media: a
 * server-relative `/v1/media/<sha256>.<ext>` path, which the core fetches with the session's
 * credentials (`media.get`). Anything else (a tracker, a data: URL, another host, even an
 * absolute URL) is refused and the bubble says so.
 */
export function resolveServerImage(url: string): string | null {
  return MEDIA_URL_PATTERN.test(url) ? url : null;
}
