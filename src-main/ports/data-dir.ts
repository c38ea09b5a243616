import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The storage path provider: where the app keeps its data when the host does not say
 * (Electron passes `app.getPath('userData')`). Follows each platform's convention.
 */
export function defaultDataDir(
  appName = 'Merchant IM',
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), appName);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', appName);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), appName);
}
