import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LINUX_AUTOSTART_FILE, linuxAutostartEntry } from './desktop';

/** `$XDG_CONFIG_HOME/autostart`, by default `~/.config/autostart`. */
export function linuxAutostartDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'autostart');
}

/** Adds or removes the app's XDG autostart entry. */
export function setLinuxAutostart(dir: string, enabled: boolean, exec: string, hidden: boolean): void {
  const file = join(dir, LINUX_AUTOSTART_FILE);
  if (!enabled) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, linuxAutostartEntry(exec, hidden));
}
