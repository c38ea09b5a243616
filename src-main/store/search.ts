import type { SearchHit } from '../../src-shared/ipc';
import type { ClientStore } from './client-store';
import { MESSAGE_COLUMNS, toLocalMessage, type MessageRow } from './rows';

/** FTS5's trigram tokenizer indexes three characters at a time; shorter terms need a scan. */
const TRIGRAM = 3;
const SNIPPET_TOKENS = 16;
const SNIPPET_CONTEXT_CHARS = 24;

/**
 * Full-text search over the account's messages, Chinese included: the trigram index finds any
 * substring of three or more characters without word segmentation. Terms shorter than that
 * (a two-character Chinese word, "ok") cannot use the index, so they filter by substring scan.
 * Whitespace-separated terms must all match. Newest first.
 */
export function searchMessages(store: ClientStore, query: string, limit: number): SearchHit[] {
  const terms = query.trim().split(/\s+/u).filter(Boolean);
  if (terms.length === 0) return [];
  const indexed = terms.filter((t) => [...t].length >= TRIGRAM);
  const scanned = terms.filter((t) => [...t].length < TRIGRAM);
  const likes = scanned.map((_t, i) => `m.search_text LIKE @like${i} ESCAPE '\\'`);
  const params: Record<string, string | number> = { limit };
  scanned.forEach((t, i) => (params[`like${i}`] = `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));

  return store.guard(() => {
    let rows: (MessageRow & { snip: string | null })[];
    if (indexed.length > 0) {
      params.match = indexed.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
      rows = store.db
        .prepare(
          `SELECT ${MESSAGE_COLUMNS}, snippet(messages_fts, 0, '', '', '…', ${SNIPPET_TOKENS}) AS snip
           FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid LEFT JOIN lines l ON l.line_id = m.line_id
           WHERE messages_fts MATCH @match ${likes.map((l) => `AND ${l}`).join(' ')}
           ORDER BY m.ts DESC, m.id DESC LIMIT @limit`,
        )
        .all(params) as (MessageRow & { snip: string | null })[];
    } else {
      const scannedRows = store.db
        .prepare(
          `SELECT ${MESSAGE_COLUMNS}, m.search_text FROM messages m LEFT JOIN lines l ON l.line_id = m.line_id
           WHERE ${likes.join(' AND ')} ORDER BY m.ts DESC, m.id DESC LIMIT @limit`,
        )
        .all(params) as (MessageRow & { search_text: string })[];
      rows = scannedRows.map((r) => ({ ...r, snip: around(r.search_text, scanned[0]!) }));
    }
    const lines = new Map<string, ReturnType<ClientStore['line']>>();
    return rows.map((r) => {
      if (!lines.has(r.line_id)) lines.set(r.line_id, store.line(r.line_id));
      return { message: toLocalMessage(r, store.me), line: lines.get(r.line_id) ?? null, snippet: r.snip ?? '' };
    });
  });
}

/** A short excerpt around the first occurrence of `term`. */
function around(text: string, term: string): string {
  const at = text.toLowerCase().indexOf(term.toLowerCase());
  if (at < 0) return text.slice(0, SNIPPET_CONTEXT_CHARS * 2);
  const start = Math.max(0, at - SNIPPET_CONTEXT_CHARS);
  const end = Math.min(text.length, at + term.length + SNIPPET_CONTEXT_CHARS);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}
