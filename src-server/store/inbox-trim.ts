import type { InboxTrim } from './types';

/** One inbox as a trim step sees it: its head and its lowest retained event (none when empty). */
export interface TrimCandidate {
  head: number;
  low: number | null;
  lowAt: number | null;
}

/**
 * Whether an inbox has anything to trim, judged from its lowest retained event alone (an index
 * probe per user). The head event is never trimmed, so an inbox holding only it has nothing.
 */
export function needsTrim(c: TrimCandidate, t: Pick<InboxTrim, 'olderThan' | 'keepNewest'>): boolean {
  if (c.low === null || c.lowAt === null || c.low >= c.head) return false;
  const tooOld = t.olderThan !== null && c.lowAt < t.olderThan;
  const tooMany = t.keepNewest !== null && c.head - c.low + 1 > t.keepNewest;
  return tooOld || tooMany;
}

/**
 * The seq this step keeps from: events `low … upTo-1` go. Only a lowest prefix ever goes, so the
 * retained events stay one unbroken run ending at the head (sync relies on that: a hole would look
 * like a lost event). A step looks at no more than `budget` events of one inbox, the window
 * `[low, low + budget)`; `firstYoung` is the lowest seq in that window created at or after
 * `olderThan` (null when there is none, or no age limit), found by the store.
 *
 * Result ≤ head (the head event stays, so the head and its event stay consistent) and ≤ low + budget.
 * A result equal to `low + budget` means the window ran out: the inbox may have more to trim.
 */
export function trimUpTo(
  c: { head: number; low: number },
  t: Pick<InboxTrim, 'olderThan' | 'keepNewest'>,
  budget: number,
  firstYoung: number | null,
): number {
  const windowEnd = c.low + budget;
  const byAge = t.olderThan === null ? c.low : (firstYoung ?? windowEnd);
  const byCount = t.keepNewest === null ? c.low : c.head - t.keepNewest + 1;
  return Math.max(c.low, Math.min(c.head, windowEnd, Math.max(byAge, byCount)));
}

/** Whether the age rule must look into the window at all (the count rule may already cover it). */
export function needsAgeProbe(
  c: { head: number; low: number },
  t: Pick<InboxTrim, 'olderThan' | 'keepNewest'>,
  budget: number,
): boolean {
  if (t.olderThan === null) return false;
  const byCount = t.keepNewest === null ? c.low : c.head - t.keepNewest + 1;
  return byCount < Math.min(c.head, c.low + budget);
}

/** Refuse a trim request that could loop without progress or delete a head. */
export function checkTrim(t: InboxTrim): void {
  if (!Number.isInteger(t.limit) || t.limit < 1)
    throw new RangeError(`trimInbox: limit must be a positive integer, got ${t.limit}`);
  if (!Number.isInteger(t.users) || t.users < 1)
    throw new RangeError(`trimInbox: users must be a positive integer, got ${t.users}`);
  if (t.keepNewest !== null && (!Number.isInteger(t.keepNewest) || t.keepNewest < 1))
    throw new RangeError(`trimInbox: keepNewest must be a positive integer or null, got ${t.keepNewest}`);
  if (t.olderThan !== null && !Number.isFinite(t.olderThan))
    throw new RangeError(`trimInbox: olderThan must be finite or null`);
}
