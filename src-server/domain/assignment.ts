/**
 * Staff assignment policy, pure: the store calls it inside its transaction over a snapshot, so
 * tests state exact inputs and outputs.
 *
 * 1. Only staff who are online, enabled and below their capacity are eligible.
 * 2. A returning customer goes back to `recent` (who served them within the sticky window) when eligible.
 * 3. Otherwise the eligible member with the fewest open lines; ties go to whoever was given a line
 *    longest ago (never = first), then to the smaller uid so the result is deterministic.
 * 4. Nobody eligible: null, the line waits in the queue.
 */
export interface AssignmentCandidate {
  uid: string;
  online: boolean;
  disabled: boolean;
  open_lines: number;
  capacity: number;
  last_assigned_at: number | null;
}

export interface AssignmentSnapshot {
  staff: readonly AssignmentCandidate[];
  /** Staff member who served this customer recently, if any. */
  recent: string | null;
}

export function chooseAssignee(snapshot: AssignmentSnapshot): string | null {
  const eligible = snapshot.staff.filter((s) => s.online && !s.disabled && s.open_lines < s.capacity);
  if (eligible.length === 0) return null;
  if (snapshot.recent !== null && eligible.some((s) => s.uid === snapshot.recent)) return snapshot.recent;
  const best = [...eligible].sort(
    (a, b) =>
      a.open_lines - b.open_lines || (a.last_assigned_at ?? 0) - (b.last_assigned_at ?? 0) || compareUid(a.uid, b.uid),
  )[0];
  return best ? best.uid : null;
}

function compareUid(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
