import { describe, expect, it } from 'vitest';
import { chooseAssignee, type AssignmentCandidate } from '../../src-server';

const staff = (uid: string, over: Partial<AssignmentCandidate> = {}): AssignmentCandidate => ({
  uid,
  online: true,
  disabled: false,
  open_lines: 0,
  capacity: 5,
  last_assigned_at: null,
  ...over,
});

describe('chooseAssignee', () => {
  it('picks the online member with the fewest open lines', () => {
    expect(
      chooseAssignee({
        staff: [staff('1', { open_lines: 3 }), staff('2', { open_lines: 1 }), staff('3', { open_lines: 2 })],
        recent: null,
      }),
    ).toBe('2');
  });

  it('ignores offline, disabled and full members', () => {
    const s = [
      staff('1', { online: false }),
      staff('2', { disabled: true }),
      staff('3', { open_lines: 5 }),
      staff('4', { open_lines: 4 }),
    ];
    expect(chooseAssignee({ staff: s, recent: null })).toBe('4');
  });

  it('queues (null) when nobody is eligible', () => {
    expect(chooseAssignee({ staff: [], recent: null })).toBeNull();
    expect(
      chooseAssignee({ staff: [staff('1', { online: false }), staff('2', { open_lines: 5 })], recent: null }),
    ).toBeNull();
  });

  it('sends a returning customer back to the recent staff member when eligible, even if busier', () => {
    const s = [staff('1', { open_lines: 0 }), staff('2', { open_lines: 4 })];
    expect(chooseAssignee({ staff: s, recent: '2' })).toBe('2');
  });

  it('does not send a returning customer to a recent member who is offline or full', () => {
    expect(chooseAssignee({ staff: [staff('1'), staff('2', { online: false })], recent: '2' })).toBe('1');
    expect(chooseAssignee({ staff: [staff('1'), staff('2', { open_lines: 5 })], recent: '2' })).toBe('1');
  });

  it('breaks ties by who was given a line longest ago, then by uid', () => {
    expect(
      chooseAssignee({
        staff: [staff('1', { last_assigned_at: 500 }), staff('2', { last_assigned_at: 100 })],
        recent: null,
      }),
    ).toBe('2');
    expect(
      chooseAssignee({
        staff: [staff('1', { last_assigned_at: 500 }), staff('2', { last_assigned_at: null })],
        recent: null,
      }),
    ).toBe('2');
    expect(chooseAssignee({ staff: [staff('10'), staff('9')], recent: null })).toBe('9');
  });
});
