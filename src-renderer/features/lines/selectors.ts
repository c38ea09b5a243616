import { countsTowardBadge, type LineView } from '../../../src-shared/ipc';
import type { RootState } from '../../app/store';
import { changedLineIds, lineIn, type LineTable } from './lineTable';
import type { LineFilters } from './linesSlice';

export const selectLineById = (s: RootState, lineId: string): LineView | undefined => lineIn(s.lines, lineId);
export const selectLineFilters = (s: RootState) => s.lines.filters;
export const selectSelectedLineId = (s: RootState) => s.lines.selectedId;
export const selectLinesPhase = (s: RootState) => s.lines.phase;
export const selectLinesError = (s: RootState) => s.lines.error;
/** A failed action belongs to the line it was tried on: another line's header does not show it. */
export const selectLineActionError = (s: RootState, lineId: string) =>
  s.lines.actionError?.line_id === lineId ? s.lines.actionError : null;
export const selectMyUid = (s: RootState) => s.session.session?.user?.uid ?? null;

export const selectSelectedLine = (s: RootState) =>
  s.lines.selectedId === null ? undefined : lineIn(s.lines, s.lines.selectedId);

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

/** List order: most recent activity first, then line id, so the order is total and stable. */
function before(a: LineView, b: LineView): boolean {
  const d = activityOf(b) - activityOf(a);
  return d < 0 || (d === 0 && a.line_id < b.line_id);
}

function fullOrder(table: LineTable, filters: LineFilters, myUid: string | null): string[] {
  const visible: LineView[] = [];
  for (const id of table.ids) {
    const line = lineIn(table, id)!;
    if (matchesFilters(line, filters, myUid)) visible.push(line);
  }
  visible.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  return visible.map((l) => l.line_id);
}

/** Past this many changed lines at once (a resync), sorting afresh is cheaper than moving each. */
const INCREMENTAL_LIMIT = 64;

/**
 * The list's rows: ids of the lines that pass the filters, most recent activity first.
 * Memoised by hand because this runs on every store change with 10,000 lines: when only a few
 * lines changed it moves just those (binary search) instead of sorting everything, and when the
 * order did not change it returns the previous array, so the list does not re-render at all
 * (each row subscribes to its own line).
 */
function makeSelectVisibleLineIds() {
  let last: { table: LineTable; filters: LineFilters; myUid: string | null; order: string[] } | null = null;
  return (state: RootState): string[] => {
    const table: LineTable = { ids: state.lines.ids, shards: state.lines.shards };
    const filters = state.lines.filters;
    const myUid = selectMyUid(state);
    const sameView = last !== null && last.table.ids === table.ids && last.filters === filters && last.myUid === myUid;
    if (last && sameView && last.table.shards === table.shards) return last.order;
    let order: string[] | null = null;
    if (last && sameView) {
      const changed = changedLineIds(last.table, table);
      if (changed.length <= INCREMENTAL_LIMIT) {
        order = last.order.slice();
        for (const id of changed) {
          const at = order.indexOf(id);
          if (at >= 0) order.splice(at, 1);
          const line = lineIn(table, id)!;
          if (!matchesFilters(line, filters, myUid)) continue;
          let lo = 0;
          let hi = order.length;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (before(lineIn(table, order[mid]!)!, line)) lo = mid + 1;
            else hi = mid;
          }
          order.splice(lo, 0, id);
        }
        if (order.length === last.order.length && order.every((id, i) => id === last!.order[i])) order = last.order;
      }
    }
    order ??= fullOrder(table, filters, myUid);
    last = { table, filters, myUid, order };
    return order;
  };
}

export const selectVisibleLineIds = makeSelectVisibleLineIds();

/** Badge unread of one shard, remembered per shard object: a change re-adds one shard, not 10,000 lines. */
const shardUnread = new WeakMap<Record<string, LineView>, { me: string | null; sum: number }>();

/** The Inbox badge: unread on the lines waiting on me (countsTowardBadge), not on colleagues' lines. */
export function selectTotalUnread(state: RootState): number {
  const me = selectMyUid(state);
  let total = 0;
  for (const shard of state.lines.shards) {
    let memo = shardUnread.get(shard);
    if (memo?.me !== me) {
      let sum = 0;
      for (const id in shard) if (countsTowardBadge(shard[id]!, me)) sum += shard[id]!.unread;
      memo = { me, sum };
      shardUnread.set(shard, memo);
    }
    total += memo.sum;
  }
  return total;
}

/** The neighbour of the open line in the visible order (wrapping), or the first line when none is open. */
export function neighbourLine(ids: readonly string[], selected: string | null, step: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const at = selected === null ? -1 : ids.indexOf(selected);
  if (at < 0) return step === 1 ? ids[0]! : ids[ids.length - 1]!;
  return ids[(at + step + ids.length) % ids.length]!;
}

/** The next line after the open one (wrapping) that has unread messages. */
export function nextUnreadLine(
  ids: readonly string[],
  selected: string | null,
  unreadOf: (id: string) => number,
): string | null {
  const start = selected === null ? -1 : ids.indexOf(selected);
  for (let i = 1; i <= ids.length; i++) {
    const id = ids[(start + i + ids.length) % ids.length]!;
    if (id !== selected && unreadOf(id) > 0) return id;
  }
  return null;
}
