import { createSelector } from '@reduxjs/toolkit';
import type { LineView } from '../../../src-shared/ipc';
import type { RootState } from '../../app/store';
import { linesAdapter, type LineFilters } from './linesSlice';

const adapterSelectors = linesAdapter.getSelectors((s: RootState) => s.lines);

export const selectLineById = adapterSelectors.selectById;
export const selectLineEntities = adapterSelectors.selectEntities;
export const selectLineFilters = (s: RootState) => s.lines.filters;
export const selectSelectedLineId = (s: RootState) => s.lines.selectedId;
export const selectLinesPhase = (s: RootState) => s.lines.phase;
export const selectLineActionError = (s: RootState) => s.lines.actionError;
const selectMyUid = (s: RootState) => s.session.session?.user?.uid ?? null;

export const selectSelectedLine = (s: RootState) => (s.lines.selectedId === null ? undefined : s.lines.entities[s.lines.selectedId]);

/** Last activity of a line, for "sorted by activity". */
export function activityOf(line: LineView): number {
  return line.last_message_at ?? line.created_at;
}

export function matchesFilters(line: LineView, filters: LineFilters, myUid: string | null): boolean {
  if (filters.busi_type !== null && line.busi_type !== filters.busi_type) return false;
  if (filters.status !== null && line.status !== filters.status) return false;
  if (filters.mine && line.assignee !== myUid) return false;
  return true;
}

/**
 * The list's rows: ids of the lines that pass the filters, most recent activity first.
 * Recomputed only when lines or filters change; rows subscribe to their own line by id.
 */
export const selectVisibleLineIds = createSelector([adapterSelectors.selectAll, selectLineFilters, selectMyUid], (lines, filters, myUid) => {
  const visible = lines.filter((l) => matchesFilters(l, filters, myUid));
  visible.sort((a, b) => activityOf(b) - activityOf(a) || (a.line_id < b.line_id ? -1 : a.line_id > b.line_id ? 1 : 0));
  return visible.map((l) => l.line_id);
});

export const selectTotalUnread = createSelector([adapterSelectors.selectAll], (lines) => lines.reduce((sum, l) => sum + (l.muted ? 0 : l.unread), 0));

/** The neighbour of the open line in the visible order (wrapping), or the first line when none is open. */
export function neighbourLine(ids: readonly string[], selected: string | null, step: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const at = selected === null ? -1 : ids.indexOf(selected);
  if (at < 0) return step === 1 ? ids[0]! : ids[ids.length - 1]!;
  return ids[(at + step + ids.length) % ids.length]!;
}

/** The next line after the open one (wrapping) that has unread messages. */
export function nextUnreadLine(ids: readonly string[], selected: string | null, unreadOf: (id: string) => number): string | null {
  const start = selected === null ? -1 : ids.indexOf(selected);
  for (let i = 1; i <= ids.length; i++) {
    const id = ids[(start + i + ids.length) % ids.length]!;
    if (id !== selected && unreadOf(id) > 0) return id;
  }
  return null;
}
