import { join } from 'node:path';
import { Settings } from '../../src-shared/ipc';
import { JsonDocument } from './json-file';

export const DEFAULT_SETTINGS: Settings = {
  notifications: { enabled: true, sound: true, dnd_until: null },
  language: 'en',
  start_at_login: false,
  close_to_tray: true,
  flash_on_message: true,
};

/**
 * App-wide preferences in `<dataDir>/settings.json`. App-wide rather than per account because
 * the sign-in screen needs the language before anyone has signed in.
 */
export class SettingsFile {
  private readonly doc: JsonDocument<typeof Settings>;
  private current: Settings;

  constructor(dataDir: string, onInvalid?: (path: string, reason: string) => void) {
    this.doc = new JsonDocument(join(dataDir, 'settings.json'), Settings, onInvalid);
    this.current = this.doc.read() ?? structuredClone(DEFAULT_SETTINGS);
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  update(patch: Partial<Settings>): Settings {
    const next: Settings = { ...this.current, ...patch };
    this.doc.write(next);
    this.current = next;
    return this.get();
  }
}

/** Do-not-disturb is on until a time in the future. */
export function dndActive(settings: Settings, now: number): boolean {
  return settings.notifications.dnd_until !== null && settings.notifications.dnd_until > now;
}
