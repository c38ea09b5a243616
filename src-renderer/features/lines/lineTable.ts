import type { LineView } from '../../../src-shared/ipc';

/**
 * The lines, split into a fixed number of shards by a hash of the line id. Redux state is
 * immutable: with one flat table of 10,000 lines every change to one line copied and re-checked the
 * whole table (about 5 ms a change, seconds of frozen UI during a resync). With shards a change
 * copies one shard of ~80 lines plus the 128-entry shard array, and selectors skip unchanged shards
 * by reference.
 */
export const LINE_SHARDS = 128;

export interface LineTable {
  /** Every line id, in the order first seen; changes only when a line is added or the table is replaced. */
  ids: string[];
  shards: Array<Record<string, LineView>>;
}

/** A stable, cheap string hash (FNV-1a); line ids are short. */
export function shardOf(lineId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < lineId.length; i++) {
    h ^= lineId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % LINE_SHARDS;
}

export function emptyLineTable(): LineTable {
  return { ids: [], shards: Array.from({ length: LINE_SHARDS }, () => ({})) };
}

export function lineTableOf(lines: readonly LineView[]): LineTable {
  const table = emptyLineTable();
  for (const line of lines) {
    const shard = table.shards[shardOf(line.line_id)]!;
    if (!(line.line_id in shard)) table.ids.push(line.line_id);
    shard[line.line_id] = line;
  }
  return table;
}

export function lineIn(table: LineTable, lineId: string): LineView | undefined {
  return table.shards[shardOf(lineId)]![lineId];
}

/** Insert or replace (works on an Immer draft: only the line's shard and, for a new line, `ids` change). */
export function putLine(table: LineTable, line: LineView): void {
  const shard = table.shards[shardOf(line.line_id)]!;
  if (!(line.line_id in shard)) table.ids.push(line.line_id);
  shard[line.line_id] = line;
}

/** The line ids whose entry differs between two versions of a table that have the same `ids`. */
export function changedLineIds(before: LineTable, after: LineTable): string[] {
  const changed: string[] = [];
  for (let i = 0; i < LINE_SHARDS; i++) {
    const a = before.shards[i]!;
    const b = after.shards[i]!;
    if (a === b) continue;
    for (const id in b) if (a[id] !== b[id]) changed.push(id);
  }
  return changed;
}
