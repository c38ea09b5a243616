import type { Need, Role } from '../../src-shared/protocol';

/**
 * Should a channel with this view receive an ephemeral push about `lineId` (typing)?
 * Yes when it shows that line; staff also see typing in the line list. A channel that never
 * reported a view counts as showing the list.
 */
export function wantsLineEphemeral(role: Role, need: Need | null, lineId: string): boolean {
  const view = need ?? { view: 'list' as const };
  if (view.view === 'line') return view.line_id === lineId;
  return view.view === 'list' && role === 'staff';
}
