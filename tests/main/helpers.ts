import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientPorts } from '../../src-main/ports';
import { systemClock, type Clock } from '../../src-main/ports/clock';
import { silentLogger } from '../../src-main/ports/logger';
import { RecordingLinkOpener } from '../../src-main/ports/links';
import { RecordingNotifier } from '../../src-main/ports/notifier';
import { seededRandom } from '../../src-main/ports/random';
import { plainSecretBox } from '../../src-main/ports/secrets';
import { ManualNetworkMonitor, ManualPowerMonitor } from '../../src-main/ports/testing';
import { ReportedWindowState } from '../../src-main/ports/window-state';

export interface TestPorts extends ClientPorts {
  network: ManualNetworkMonitor;
  power: ManualPowerMonitor;
  window: ReportedWindowState;
  notifier: RecordingNotifier;
  links: RecordingLinkOpener;
}

export function testPorts(options: { clock?: Clock; seed?: number } = {}): TestPorts {
  return {
    clock: options.clock ?? systemClock,
    random: seededRandom(options.seed ?? 42),
    network: new ManualNetworkMonitor(true),
    power: new ManualPowerMonitor(),
    window: new ReportedWindowState(),
    notifier: new RecordingNotifier(),
    secrets: plainSecretBox,
    links: new RecordingLinkOpener(),
    log: process.env.CLIENT_TEST_LOG ? { info: console.log, warn: console.warn, error: console.error } : silentLogger,
  };
}

/** A fresh temp folder; call the returned cleanup in afterEach. */
export function tempDir(prefix = 'im-client-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Poll until `check` returns truthy or the deadline passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  label: string | (() => string) = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof label === 'string' ? label : label()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
