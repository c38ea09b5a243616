/**
 * Windows shows a toast only for an app whose Start-menu shortcut carries the same
 * AppUserModelID the process declares; a shortcut made by an old installer, a copied one, or none
 * at all makes notifications vanish silently. At start-up the shell checks and repairs this.
 */
export interface ShortcutFacts {
  /** What readShortcutLink returned for the per-user Start-menu shortcut, or null if missing. */
  perUser: { target: string; appUserModelId: string | undefined } | null;
  /** Same for the all-users (per-machine install) shortcut, which a normal user cannot rewrite. */
  allUsers: { target: string; appUserModelId: string | undefined } | null;
  appUserModelId: string;
  execPath: string;
}

export type ShortcutAction =
  | { kind: 'ok'; where: 'per-user' | 'all-users' }
  | { kind: 'write'; operation: 'create' | 'update'; reason: string }
  | { kind: 'report'; reason: string };

export function shortcutAction(facts: ShortcutFacts): ShortcutAction {
  const matches = (s: ShortcutFacts['perUser']) =>
    s !== null && s.appUserModelId === facts.appUserModelId && samePath(s.target, facts.execPath);
  if (matches(facts.perUser)) return { kind: 'ok', where: 'per-user' };
  if (matches(facts.allUsers)) return { kind: 'ok', where: 'all-users' };
  if (facts.perUser) {
    return {
      kind: 'write',
      operation: 'update',
      reason: `Start-menu shortcut had AppUserModelID ${facts.perUser.appUserModelId ?? '(none)'} and target ${facts.perUser.target}`,
    };
  }
  if (facts.allUsers) {
    // Repairing it needs administrator rights; a per-user shortcut with the right id also works.
    return {
      kind: 'write',
      operation: 'create',
      reason: 'the all-users Start-menu shortcut does not match this app; adding a per-user one',
    };
  }
  return { kind: 'write', operation: 'create', reason: 'no Start-menu shortcut found' };
}

function samePath(a: string, b: string): boolean {
  return a.replace(/\//g, '\\').toLowerCase() === b.replace(/\//g, '\\').toLowerCase();
}
