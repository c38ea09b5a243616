import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Updater } from '../../src-main/electron/updater';
import { FakeClock } from '../../src-main/ports/testing';
import { UPDATE_CHECK, type UpdatePlan } from '../../src-main/shell/update-policy';
import { RecordingLogger } from './fakes';

class FakeAutoUpdater extends EventEmitter {
  feed: unknown = null;
  channel: string | null = null;
  allowPrerelease = false;
  allowDowngrade = true;
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  constructor(private readonly outcome: () => Promise<unknown>) {
    super();
  }
  setFeedURL(feed: unknown): void {
    this.feed = feed;
  }
  checkForUpdates(): Promise<unknown> {
    this.checks++;
    return this.outcome();
  }
}

const plan: UpdatePlan = {
  enabled: true,
  feed: { provider: 'generic', url: 'https://updates.corp/mim', channel: 'beta' },
  allowPrerelease: true,
};

describe('auto-update', () => {
  it('configures electron-updater from the plan and checks on a spread schedule', async () => {
    const clock = new FakeClock();
    const au = new FakeAutoUpdater(() => Promise.resolve({ updateInfo: { version: '0.2.0' } }));
    const updater = new Updater(au as never, plan, clock, () => 0, new RecordingLogger());
    updater.start();
    expect(au.feed).toEqual(plan.feed);
    expect(au).toMatchObject({
      channel: 'beta',
      allowPrerelease: true,
      allowDowngrade: false,
      autoDownload: true,
      autoInstallOnAppQuit: true,
    });
    await clock.advance(UPDATE_CHECK.firstDelayMs - 1);
    expect(au.checks).toBe(0);
    await clock.advance(1);
    expect(au.checks).toBe(1);
    await clock.advance(UPDATE_CHECK.everyMs);
    expect(au.checks).toBe(2);
    au.emit('update-downloaded', { version: '0.2.0' });
    expect(updater.status).toEqual({ state: 'ready', detail: '0.2.0' });
    updater.dispose();
    expect(clock.pending()).toBe(0);
  });

  it('never lets a failed check escape, and tries again later', async () => {
    const clock = new FakeClock();
    const log = new RecordingLogger();
    const au = new FakeAutoUpdater(() => Promise.reject(new Error('getaddrinfo ENOTFOUND updates.corp')));
    const updater = new Updater(au as never, plan, clock, () => 0, log);
    updater.start();
    await clock.advance(UPDATE_CHECK.firstDelayMs);
    expect(updater.status).toEqual({ state: 'error', detail: 'getaddrinfo ENOTFOUND updates.corp' });
    expect(log.entries.at(-1)?.msg).toBe('update check failed; will retry later');
    await clock.advance(UPDATE_CHECK.everyMs);
    expect(au.checks).toBe(2);
    au.emit('error', new Error('signature mismatch'));
    expect(updater.status.state).toBe('error');
    updater.dispose();
  });

  it('does nothing at all when policy turned updates off', async () => {
    const clock = new FakeClock();
    const au = new FakeAutoUpdater(() => Promise.resolve(null));
    const updater = new Updater(
      au as never,
      { enabled: false, reason: 'auto-update disabled by policy' },
      clock,
      () => 0,
      new RecordingLogger(),
    );
    updater.start();
    await updater.check();
    expect(au.feed).toBeNull();
    expect(au.checks).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(updater.status).toEqual({ state: 'disabled', detail: 'auto-update disabled by policy' });
  });
});
