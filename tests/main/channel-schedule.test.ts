import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelState } from '../../src-shared/ipc';
import { DataChannel } from '../../src-main/channel/data-channel';
import { NeedStack } from '../../src-main/channel/need-stack';
import { FRESH_HISTORY, decideReconnect, type ReconnectHistory } from '../../src-main/channel/reconnect-policy';
import { TransportMemoryFile } from '../../src-main/channel/transport-memory';
import { DEFAULT_CONFIG } from '../../src-main/core/config';
import { errorShape } from '../../src-main/core/errors';
import { silentLogger } from '../../src-main/ports/logger';
import { seededRandom } from '../../src-main/ports/random';
import { FakeClock, ManualNetworkMonitor, ManualPowerMonitor } from '../../src-main/ports/testing';
import { tempDir, waitFor } from './helpers';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * The channel schedules exactly what the reconnection policy decides: a fake clock drives every
 * timer, a seeded random source the jitter, and connection attempts really fail (refused port).
 */
describe('DataChannel reconnection schedule (fake clock, seeded randomness)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  async function setup(seed: number) {
    const t = tempDir();
    const clock = new FakeClock();
    const network = new ManualNetworkMonitor(true);
    const power = new ManualPowerMonitor();
    const states: ChannelState[] = [];
    const channel = new DataChannel(
      {
        serverUrl: `http://127.0.0.1:${await closedPort()}`,
        deviceId: 'd-test',
        token: () => 'token',
        refreshToken: () => Promise.resolve(),
        cursor: () => null,
        focused: () => true,
        onConnected: () => {},
        onInboxPush: () => {},
        onPollPage: () => Promise.resolve(),
        onTyping: () => {},
        onPresence: () => {},
        onState: (s) => void states.push(s),
      },
      { clock, random: seededRandom(seed), network, power, log: silentLogger },
      DEFAULT_CONFIG,
      new TransportMemoryFile(t.dir),
      new NeedStack(),
    );
    cleanups.push(() => {
      channel.stop();
      t.cleanup();
    });
    const attempts = () => states.filter((s) => s.status === 'connecting').length;
    const backoffs = () => states.filter((s) => s.status === 'backoff');
    return { clock, network, power, states, channel, attempts, backoffs };
  }

  it('waits exactly the delays the policy draws: 5–20 s five times, then growing backoff', async () => {
    const { clock, channel, backoffs } = await setup(77);
    const random = seededRandom(77);
    let history: ReconnectHistory = FRESH_HISTORY;
    const expected: number[] = [];
    for (let i = 0; i < 9; i++) {
      const d = decideReconnect({
        history,
        cause: { kind: 'failure', failure: errorShape('NETWORK', 'x') },
        networkOnline: true,
        now: 0,
        random,
        config: DEFAULT_CONFIG.reconnect,
      });
      if (d.action !== 'retry') throw new Error('expected retry');
      expected.push(d.delayMs);
      history = d.history;
    }
    channel.start();
    for (let i = 0; i < expected.length; i++) {
      await waitFor(() => backoffs().length === i + 1, 5_000, `backoff ${i + 1}`);
      const state = backoffs()[i]!;
      expect(state.retry_at! - clock.now()).toBe(expected[i]);
      expect(state.last_error?.code).toBe('NETWORK');
      // Nothing happens a millisecond early…
      await clock.advance(expected[i]! - 1);
      expect(channel.state().status).toBe('backoff');
      // …and the attempt starts on time.
      await clock.advance(1);
      await waitFor(() => channel.state().status !== 'backoff' || backoffs().length > i + 1, 5_000, 'attempt');
    }
    expect(expected.slice(0, 5).every((d) => d >= 5_000 && d < 20_000)).toBe(true);
    expect(expected.slice(5).every((d) => d >= 20_000)).toBe(true);
  });

  it('makes no attempt while the network is down, and comes back promptly when it returns or the machine wakes', async () => {
    const { clock, network, power, channel, attempts, backoffs, states } = await setup(3);
    channel.start();
    await waitFor(() => backoffs().length === 1, 5_000, 'first backoff');
    network.set(false);
    expect(channel.state().status).toBe('offline');
    const before = attempts();
    await clock.advance(3_600_000);
    expect(attempts()).toBe(before);
    network.set(true);
    const back = backoffs().at(-1)!;
    const delay = back.retry_at! - clock.now();
    expect(delay).toBeGreaterThanOrEqual(DEFAULT_CONFIG.reconnect.promptMinMs);
    expect(delay).toBeLessThan(DEFAULT_CONFIG.reconnect.promptMaxMs);
    await clock.advance(delay);
    await waitFor(() => attempts() === before + 1, 5_000, 'attempt after network return');

    // In a long backoff, waking from sleep also brings the attempt forward.
    await waitFor(() => backoffs().length >= 3, 5_000, 'backoff again');
    const count = states.length;
    power.emit('resume');
    const woke = states.slice(count).find((s) => s.status === 'backoff')!;
    expect(woke.retry_at! - clock.now()).toBeLessThan(DEFAULT_CONFIG.reconnect.promptMaxMs);
  });
});
