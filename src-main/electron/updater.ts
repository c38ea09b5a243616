import type { AppUpdater } from 'electron-updater';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { Random } from '../ports/random';
import { nextUpdateCheckDelay, type UpdatePlan } from '../shell/update-policy';

type UpdaterLike = Pick<
  AppUpdater,
  | 'setFeedURL'
  | 'checkForUpdates'
  | 'autoDownload'
  | 'autoInstallOnAppQuit'
  | 'allowPrerelease'
  | 'allowDowngrade'
  | 'channel'
  | 'on'
>;

/**
 * Background updates with electron-updater from the feed IT configured. Downloads run in the
 * background and install when the app quits. A check that fails (offline, proxy, feed down) is
 * logged and retried at the next interval: it never blocks or interrupts the app.
 */
export class Updater {
  private timer: TimerHandle | null = null;
  private stopped = false;
  status: { state: 'disabled' | 'idle' | 'checking' | 'downloading' | 'ready' | 'error'; detail: string | null } = {
    state: 'idle',
    detail: null,
  };

  constructor(
    private readonly updater: UpdaterLike,
    private readonly plan: UpdatePlan,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (!this.plan.enabled) {
      this.status = { state: 'disabled', detail: this.plan.reason };
      this.log.info({ reason: this.plan.reason }, 'auto-update off');
      return;
    }
    const u = this.updater;
    u.setFeedURL(this.plan.feed);
    u.channel = this.plan.feed.channel;
    u.allowPrerelease = this.plan.allowPrerelease;
    u.allowDowngrade = false;
    u.autoDownload = true;
    u.autoInstallOnAppQuit = true;
    u.on('update-available', (info) => {
      this.status = { state: 'downloading', detail: info.version };
    });
    u.on('update-downloaded', (info) => {
      this.status = { state: 'ready', detail: info.version };
      this.log.info({ version: info.version }, 'update downloaded; installs on quit');
    });
    u.on('error', (err) => {
      this.status = { state: 'error', detail: err.message };
      this.log.warn({ err: err.message }, 'update failed');
    });
    this.schedule(true);
  }

  dispose(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(first: boolean): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(
      () => {
        void this.check().finally(() => this.schedule(false));
      },
      nextUpdateCheckDelay(first, this.random),
    );
  }

  async check(): Promise<void> {
    if (!this.plan.enabled || this.stopped) return;
    this.status = { state: 'checking', detail: null };
    try {
      const result = await this.updater.checkForUpdates();
      if (this.status.state === 'checking') this.status = { state: 'idle', detail: result?.updateInfo.version ?? null };
    } catch (err) {
      this.status = { state: 'error', detail: (err as Error).message };
      this.log.warn({ err: (err as Error).message }, 'update check failed; will retry later');
    }
  }
}
