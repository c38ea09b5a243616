/**
 * Reconnect delay for one client during a drain: uniform over [0, windowMs) so a restart does not
 * bring every client back in the same instant (no thundering herd). Pure; randomness injected.
 */
export function drainDelay(random: () => number, windowMs: number): number {
  return Math.floor(random() * windowMs);
}
