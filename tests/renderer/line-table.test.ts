import { createNextState as produce } from '@reduxjs/toolkit';
import { describe, expect, it } from 'vitest';
import {
  LINE_SHARDS,
  changedLineIds,
  lineIn,
  lineTableOf,
  putLine,
  shardOf,
} from '../../src-renderer/features/lines/lineTable';
import { makeLine } from './support/fixtures';

describe('line table (lines in shards)', () => {
  const lines = Array.from({ length: 10_000 }, (_, i) => makeLine(i));

  it('spreads ids evenly over the shards, the same way every time', () => {
    const counts = new Array<number>(LINE_SHARDS).fill(0);
    for (const l of lines) counts[shardOf(l.line_id)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(10_000 / LINE_SHARDS / 2);
    expect(Math.max(...counts)).toBeLessThan((10_000 / LINE_SHARDS) * 2);
    expect(shardOf('L42')).toBe(shardOf(`L${42}`));
  });

  it('holds every line once, in the order first seen; a repeated id replaces the line', () => {
    const table = lineTableOf([...lines.slice(0, 3), { ...lines[1]!, unread: 9 }]);
    expect(table.ids).toEqual(['L0', 'L1', 'L2']);
    expect(lineIn(table, 'L1')!.unread).toBe(9);
    expect(lineIn(table, 'nope')).toBeUndefined();
  });

  it('a change to one line copies only its shard; the others stay the same objects', () => {
    const before = lineTableOf(lines);
    const changed = { ...lines[4_321]!, unread: 7 };
    const after = produce(before, (draft) => putLine(draft, changed));
    const touched = shardOf(changed.line_id);
    expect(after.ids).toBe(before.ids);
    expect(after.shards.filter((s, i) => s !== before.shards[i])).toEqual([after.shards[touched]]);
    expect(changedLineIds(before, after)).toEqual([changed.line_id]);
    expect(lineIn(after, changed.line_id)).toEqual(changed);
    expect(lineIn(before, changed.line_id)!.unread).toBe(lines[4_321]!.unread);
  });

  it('a new line is appended to ids', () => {
    const before = lineTableOf(lines.slice(0, 5));
    const after = produce(before, (draft) => putLine(draft, makeLine(99)));
    expect(after.ids).toEqual(['L0', 'L1', 'L2', 'L3', 'L4', 'L99']);
    expect(before.ids).toHaveLength(5);
  });
});
