import type { Diagnostics } from '../../src-shared/ipc/contract';
import type { ManagedConfig } from './managed-config';
import type { SuppressionProbeResult } from './notification-suppression';
import { redactDiagnostics, redactText } from './redact';

export interface ShellFacts {
  versions: Record<string, string>;
  suppression: SuppressionProbeResult;
  notificationsSupported: boolean;
  /** Policy typos and ignored values, so IT sees them on the diagnostics page. */
  managedWarnings: readonly string[];
  updater: { state: string; detail: string | null };
  trayAvailable: boolean;
  at: number;
}

/**
 * The core's diagnostics plus what only the shell knows: Electron versions, whether the OS is
 * hiding notifications, policy warnings, updater state. Redacted here, before the page sees it,
 * so whatever the page shows or copies is safe to send to support.
 */
export function shellDiagnostics(core: Diagnostics, shell: ShellFacts): Diagnostics {
  // The OS hiding notifications comes first; otherwise the core's own reason (disabled, do-not-disturb).
  const suppressed = !shell.notificationsSupported
    ? 'This system does not support notifications.'
    : (shell.suppression.suppressed ?? core.notifications.suppressed_reason);
  const merged: Diagnostics = {
    ...core,
    versions: {
      ...core.versions,
      ...shell.versions,
      updater: shell.updater.detail ? `${shell.updater.state} (${shell.updater.detail})` : shell.updater.state,
      tray: shell.trayAvailable ? 'available' : 'not available (closing the window quits)',
    },
    recent_errors: [
      ...core.recent_errors,
      ...shell.managedWarnings.map((message) => ({ at: shell.at, code: 'POLICY', message })),
    ],
    notifications: { supported: shell.notificationsSupported, suppressed_reason: suppressed },
  };
  return redactDiagnostics(merged) as Diagnostics;
}

/** The text "copy diagnostics" puts on the clipboard: diagnostics, effective settings, recent log. */
export function supportReport(diagnostics: Diagnostics, managed: ManagedConfig, logTail: string, at: number): string {
  const settings = Object.fromEntries(
    Object.entries(managed)
      .filter(([key]) => key !== 'warnings')
      .map(([key, value]) => [key, value]),
  );
  const body = {
    generated_at: new Date(at).toISOString(),
    diagnostics,
    managed_configuration: settings,
  };
  return `${JSON.stringify(redactDiagnostics(body), null, 2)}\n\n--- recent log ---\n${redactText(logTail)}`;
}
