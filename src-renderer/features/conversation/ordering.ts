import type { LocalMessage } from '../../../src-shared/ipc';

/**
 * Messages of a line are kept as keys in (ts, key) order. Inserting by binary search keeps a
 * burst of live messages cheap even in a long history.
 */
export function insertKey(keys: string[], key: string, ts: number, tsOf: (key: string) => number): void {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = keys[mid]!;
    const t = tsOf(other);
    if (t < ts || (t === ts && other < key)) lo = mid + 1;
    else hi = mid;
  }
  keys.splice(lo, 0, key);
}

export function removeKey(keys: string[], key: string): void {
  const i = keys.lastIndexOf(key);
  if (i >= 0) keys.splice(i, 1);
}

/** An outgoing message is one the signed-in side sent: it has a delivery state worth showing. */
export function isOutgoing(message: Pick<LocalMessage, 'sender_role'>): boolean {
  return message.sender_role === 'staff';
}
