import { Id } from '../../src-shared/protocol/schemas';

/** URL scheme the OS hands to the app: `merchant-im://line/<line_id>[?message=<message_id>]`. */
export const DEEP_LINK_SCHEME = 'merchant-im';

/** What a deep link asks for: open one conversation line, optionally at one message. */
export interface LineLink {
  line_id: string;
  message_id: string | null;
}

/** Parses a deep link; anything that is not exactly a line link is refused (null). */
export function parseLineLink(raw: string): LineLink | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` || url.host !== 'line' || url.username || url.password) return null;
  const segments = url.pathname.split('/').filter((s) => s.length > 0);
  if (segments.length !== 1) return null;
  const lineId = safeDecode(segments[0]!);
  const messageParam = url.searchParams.get('message');
  const messageId = messageParam === null ? null : messageParam;
  if (lineId === null || !Id.safeParse(lineId).success) return null;
  if (messageId !== null && !Id.safeParse(messageId).success) return null;
  return { line_id: lineId, message_id: messageId };
}

export function lineLinkUrl(link: LineLink): string {
  const base = `${DEEP_LINK_SCHEME}://line/${encodeURIComponent(link.line_id)}`;
  return link.message_id === null ? base : `${base}?message=${encodeURIComponent(link.message_id)}`;
}

/**
 * A second launch (Windows/Linux protocol activation, a toast clicked after restart) carries the
 * link somewhere in its argv, after Chromium's own switches; the first valid one wins.
 */
export function findLineLinkInArgv(argv: readonly string[]): LineLink | null {
  for (const arg of argv) {
    if (!arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) continue;
    const link = parseLineLink(arg);
    if (link) return link;
  }
  return null;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
