export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; url: string };

const LINK = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence is not part of the link it follows. */
const TRAILING = /[.,;:!?)\]}>'"。，；：！？）】》]+$/u;

/**
 * Split message text into plain runs and http(s) links. The result is rendered as React text
 * nodes and anchors, never as HTML, so nothing in a message can inject markup.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const start = match.index;
    const raw = match[0];
    const url = raw.replace(TRAILING, '');
    if (!isOpenableUrl(url)) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: url, url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

export function isOpenableUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
