/**
 * Decisions about how the app lives on the desktop: whether a tray exists on this Linux session,
 * what closing the window does, how the app starts at login.
 */

export interface LinuxTrayFacts {
  env: Readonly<Record<string, string | undefined>>;
  /** Whether org.kde.StatusNotifierWatcher owns a name on the session bus; null if unknown. */
  statusNotifierWatcher: boolean | null;
}

/**
 * Electron's Linux tray is a StatusNotifierItem when a watcher runs on the session bus (KDE,
 * Ubuntu's GNOME, most panels with an indicator plugin), else an XEmbed icon, which stock GNOME
 * and every Wayland session never show. Without a visible tray, hiding the window would lose it.
 */
export function linuxTrayAvailable(facts: LinuxTrayFacts): boolean {
  if (facts.statusNotifierWatcher === true) return true;
  const desktop = (facts.env.XDG_CURRENT_DESKTOP ?? facts.env.DESKTOP_SESSION ?? '').toLowerCase();
  if (/gnome|pantheon/.test(desktop)) return false;
  if (facts.statusNotifierWatcher === false && facts.env.XDG_SESSION_TYPE === 'wayland') return false;
  return desktop !== '';
}

/** `gdbus call … NameHasOwner org.kde.StatusNotifierWatcher` answers `(true,)` or `(false,)`. */
export function parseNameHasOwner(stdout: string): boolean | null {
  const m = /\((true|false),?\)/.exec(stdout);
  return m ? m[1] === 'true' : null;
}

export type CloseAction = 'hide' | 'close';

export function closeAction(facts: {
  quitting: boolean;
  closeToTray: boolean;
  trayAvailable: boolean;
  platform: NodeJS.Platform;
}): CloseAction {
  if (facts.quitting) return 'close';
  if (facts.closeToTray && facts.trayAvailable) return 'hide';
  // On macOS the dock keeps a windowless app reachable, as users there expect.
  return facts.platform === 'darwin' ? 'hide' : 'close';
}

/** Argument that marks a launch at login which should stay in the tray. */
export const HIDDEN_ARG = '--hidden';

export interface LoginItem {
  openAtLogin: boolean;
  /** macOS: start with no window. Windows/Linux get HIDDEN_ARG instead. */
  openAsHidden: boolean;
  args: string[];
}

export function loginItem(enabled: boolean, hidden: boolean, platform: NodeJS.Platform): LoginItem {
  return {
    openAtLogin: enabled,
    openAsHidden: platform === 'darwin' && enabled && hidden,
    args: enabled && hidden && platform !== 'darwin' ? [HIDDEN_ARG] : [],
  };
}

/** Whether this launch should start in the tray without showing the window. */
export function startsHidden(argv: readonly string[], macOpenedAsHidden: boolean): boolean {
  return macOpenedAsHidden || argv.includes(HIDDEN_ARG);
}

/**
 * Linux has no login-item API (Electron's setLoginItemSettings is macOS/Windows only): desktops
 * start what `~/.config/autostart/*.desktop` lists (XDG Autostart). `exec` is the AppImage path
 * when running from one, else the installed executable.
 */
export function linuxAutostartEntry(exec: string, hidden: boolean): string {
  // Desktop Entry spec: inside a quoted Exec argument ", `, $ and \ take a backslash, which the
  // file's own string escaping doubles; % introduces field codes, so a literal one is %%.
  const escaped = exec.replace(/(["`$\\])/g, '\\\\$1').replace(/%/g, '%%');
  const arg = /[\s"'`$\\%<>|&;()*?#~]/.test(exec) ? `"${escaped}"` : escaped;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Merchant IM',
    `Exec=${arg}${hidden ? ` ${HIDDEN_ARG}` : ''}`,
    'Icon=merchant-im',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export const LINUX_AUTOSTART_FILE = 'merchant-im.desktop';
