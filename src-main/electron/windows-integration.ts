import { join } from 'node:path';
import type { App, Shell } from 'electron';
import type { Logger } from '../ports/logger';
import { shortcutAction, type ShortcutAction } from '../shell/windows-shortcut';

/** Same as electron-builder's appId, so installer shortcuts and the running process agree. */
export const APP_USER_MODEL_ID = 'com.merchantim.desktop';
export const PRODUCT_NAME = 'Merchant IM';

type ShortcutShell = Pick<Shell, 'readShortcutLink' | 'writeShortcutLink'>;

/**
 * Windows start-up check: declare the AppUserModelID, then make sure a Start-menu shortcut with
 * that id points at this executable, repairing or creating the per-user one if not. Only for a
 * packaged app: a development Electron must not leave shortcuts behind.
 */
export function ensureNotificationIdentity(deps: {
  app: Pick<App, 'setAppUserModelId' | 'getPath' | 'isPackaged'>;
  shell: ShortcutShell;
  execPath: string;
  programData: string | undefined;
  log: Logger;
}): ShortcutAction | null {
  deps.app.setAppUserModelId(APP_USER_MODEL_ID);
  if (!deps.app.isPackaged) return null;
  const programs = (root: string) =>
    join(root, 'Microsoft', 'Windows', 'Start Menu', 'Programs', `${PRODUCT_NAME}.lnk`);
  const perUserPath = programs(deps.app.getPath('appData'));
  const read = (path: string) => {
    try {
      const link = deps.shell.readShortcutLink(path);
      return { target: link.target, appUserModelId: link.appUserModelId };
    } catch {
      return null;
    }
  };
  const action = shortcutAction({
    perUser: read(perUserPath),
    allUsers: deps.programData ? read(programs(deps.programData)) : null,
    appUserModelId: APP_USER_MODEL_ID,
    execPath: deps.execPath,
  });
  if (action.kind === 'write') {
    const ok = deps.shell.writeShortcutLink(perUserPath, action.operation, {
      target: deps.execPath,
      appUserModelId: APP_USER_MODEL_ID,
      description: PRODUCT_NAME,
    });
    deps.log[ok ? 'info' : 'warn'](
      { path: perUserPath, reason: action.reason, ok },
      'Start-menu shortcut repaired for notifications',
    );
  }
  return action;
}
