import { describe, expect, it } from 'vitest';
import { countsTowardBadge } from '../../src-shared/ipc';

describe('countsTowardBadge', () => {
  const line = { uid: 'cust', assignee: 'amy' as string | null, muted: false };
  it('counts my lines and the queue for staff, every line for its customer, never a muted one', () => {
    expect(countsTowardBadge(line, 'amy')).toBe(true);
    expect(countsTowardBadge(line, 'ben')).toBe(false);
    expect(countsTowardBadge({ ...line, assignee: null }, 'ben')).toBe(true);
    expect(countsTowardBadge(line, 'cust')).toBe(true);
    expect(countsTowardBadge({ ...line, muted: true }, 'amy')).toBe(false);
    expect(countsTowardBadge(line, null)).toBe(false);
  });
});
