import { parseRegQuery, type PolicyIo } from './policy-sources';

/**
 * Whether the OS is currently hiding this app's notifications, where that can be read without
 * special permissions. `null` means "not suppressed, as far as we can tell" — Focus Assist's
 * automatic rules on Windows and Focus modes on recent macOS are not readable, and the
 * diagnostics page says so instead of guessing.
 */
export interface SuppressionProbeResult {
  suppressed: string | null;
  detectable: boolean;
}

export async function probeNotificationSuppression(
  platform: NodeJS.Platform,
  io: PolicyIo,
  appUserModelId: string,
  home: string,
): Promise<SuppressionProbeResult> {
  try {
    if (platform === 'win32') return await probeWindows(io, appUserModelId);
    if (platform === 'darwin') return await probeMac(io, home);
    if (platform === 'linux') return await probeGnome(io);
  } catch {
    // A probe that cannot run tells us nothing; it must never break diagnostics.
  }
  return { suppressed: null, detectable: false };
}

const WIN_PUSH = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\PushNotifications';
const WIN_SETTINGS = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Notifications\\Settings';

async function probeWindows(io: PolicyIo, aumid: string): Promise<SuppressionProbeResult> {
  const push = await io.run('reg', ['query', WIN_PUSH, '/v', 'ToastEnabled']);
  const global = await io.run('reg', ['query', WIN_SETTINGS, '/v', 'NOC_GLOBAL_SETTING_TOASTS_ENABLED']);
  const app = await io.run('reg', ['query', `${WIN_SETTINGS}\\${aumid}`, '/v', 'Enabled']);
  return windowsSuppression(
    push.code === 0 ? parseRegQuery(push.stdout) : {},
    global.code === 0 ? parseRegQuery(global.stdout) : {},
    app.code === 0 ? parseRegQuery(app.stdout) : {},
  );
}

export function windowsSuppression(
  push: Record<string, unknown>,
  global: Record<string, unknown>,
  app: Record<string, unknown>,
): SuppressionProbeResult {
  if (push.ToastEnabled === 0)
    return {
      suppressed: 'Windows notifications are turned off (Settings › System › Notifications).',
      detectable: true,
    };
  if (global.NOC_GLOBAL_SETTING_TOASTS_ENABLED === 0)
    return { suppressed: 'Windows "Do not disturb" / Focus Assist is on.', detectable: true };
  if (app.Enabled === 0)
    return { suppressed: 'Notifications for Merchant IM are turned off in Windows settings.', detectable: true };
  return { suppressed: null, detectable: true };
}

async function probeMac(io: PolicyIo, home: string): Promise<SuppressionProbeResult> {
  // macOS 12+ keeps active Focus assertions here; older releases used a defaults key.
  const assertions = await io.readText(`${home}/Library/DoNotDisturb/DB/Assertions.json`);
  if (assertions !== null) return macFocusSuppression(assertions);
  const legacy = await io.run('defaults', ['-currentHost', 'read', 'com.apple.notificationcenterui', 'doNotDisturb']);
  if (legacy.code === 0)
    return { suppressed: legacy.stdout.trim() === '1' ? 'macOS Do Not Disturb is on.' : null, detectable: true };
  return { suppressed: null, detectable: false };
}

export function macFocusSuppression(assertionsJson: string): SuppressionProbeResult {
  try {
    const parsed = JSON.parse(assertionsJson) as { data?: { storeAssertionRecords?: unknown[] }[] };
    const active = (parsed.data ?? []).some(
      (d) => Array.isArray(d.storeAssertionRecords) && d.storeAssertionRecords.length > 0,
    );
    return { suppressed: active ? 'A macOS Focus mode (Do Not Disturb) is on.' : null, detectable: true };
  } catch {
    return { suppressed: null, detectable: false };
  }
}

async function probeGnome(io: PolicyIo): Promise<SuppressionProbeResult> {
  const result = await io.run('gsettings', ['get', 'org.gnome.desktop.notifications', 'show-banners']);
  if (result.code !== 0) return { suppressed: null, detectable: false };
  return { suppressed: result.stdout.trim() === 'false' ? 'GNOME "Do Not Disturb" is on.' : null, detectable: true };
}
