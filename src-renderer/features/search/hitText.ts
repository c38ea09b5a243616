/** How far into a message the match may sit and the full preview still shows it on one line. */
const VISIBLE_CHARS = 60;

/**
 * What a search result shows: the message itself when the match is near its start, else the
 * store's snippet around the match. Split into runs so the matches can be marked (as text, never HTML).
 */
export function hitText(preview: string, snippet: string, query: string): { text: string; match: boolean }[] {
  const at = preview.toLocaleLowerCase().indexOf(query.toLocaleLowerCase());
  const text = at >= 0 && at < VISIBLE_CHARS ? preview : snippet || preview;
  return markMatches(text, query);
}

export function markMatches(text: string, query: string): { text: string; match: boolean }[] {
  const needle = query.toLocaleLowerCase();
  if (!needle) return [{ text, match: false }];
  const lower = text.toLocaleLowerCase();
  const runs: { text: string; match: boolean }[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) runs.push({ text: text.slice(from, at), match: false });
    runs.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) runs.push({ text: text.slice(from), match: false });
  return runs;
}
