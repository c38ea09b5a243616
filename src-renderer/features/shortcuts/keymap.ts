/**
 * Every keyboard shortcut, in one table: the help overlay lists exactly these. `mod` is Ctrl, or
 * ⌘ on macOS. Shortcuts with `outsideText` are ignored while typing in a text field.
 */
export interface Shortcut {
  id: 'nextLine' | 'prevLine' | 'nextUnread' | 'focusSearch' | 'help' | 'send' | 'newline';
  labelKey: string;
  keys: string;
  /** Handled by the composer itself; listed for completeness. */
  composerOnly?: boolean;
  outsideText?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'nextLine', labelKey: 'shortcuts.nextLine', keys: 'Alt+ArrowDown' },
  { id: 'prevLine', labelKey: 'shortcuts.prevLine', keys: 'Alt+ArrowUp' },
  { id: 'nextUnread', labelKey: 'shortcuts.nextUnread', keys: 'Alt+Shift+ArrowDown' },
  { id: 'focusSearch', labelKey: 'shortcuts.focusSearch', keys: 'Mod+K' },
  { id: 'help', labelKey: 'shortcuts.help', keys: '?', outsideText: true },
  { id: 'send', labelKey: 'shortcuts.send', keys: 'Enter', composerOnly: true },
  { id: 'newline', labelKey: 'shortcuts.newline', keys: 'Shift+Enter', composerOnly: true },
];

export interface KeyPress {
  key: string;
  altKey: boolean;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

function matches(keys: string, press: KeyPress, mac: boolean): boolean {
  const parts = keys.split('+');
  const key = parts[parts.length - 1]!;
  const want = new Set(parts.slice(0, -1));
  const mod = mac ? press.metaKey : press.ctrlKey;
  if (want.has('Mod') !== mod) return false;
  if (want.has('Alt') !== press.altKey) return false;
  // "?" is typed with Shift on most layouts: for printable keys the character decides.
  if (key.length > 1 && want.has('Shift') !== press.shiftKey) return false;
  if (!mac && !want.has('Mod') && press.metaKey) return false;
  return press.key.length === 1 ? press.key.toLowerCase() === key.toLowerCase() : press.key === key;
}

/** The shortcut a key press means, if any. Pure, so the table is tested without a DOM. */
export function shortcutFor(press: KeyPress, inTextField: boolean, mac: boolean): Shortcut | null {
  for (const s of SHORTCUTS) {
    if (s.composerOnly) continue;
    if (s.outsideText && inTextField) continue;
    if (matches(s.keys, press, mac)) return s;
  }
  return null;
}

/** Key names as shown in the help overlay. */
export function displayKeys(keys: string, mac: boolean): string[] {
  const names: Record<string, string> = {
    Mod: mac ? '⌘' : 'Ctrl',
    Alt: mac ? '⌥' : 'Alt',
    Shift: '⇧',
    ArrowDown: '↓',
    ArrowUp: '↑',
    Enter: '↵',
  };
  return keys.split('+').map((k) => names[k] ?? k);
}
