import { afterEach, describe, expect, it } from 'vitest';
import { IPC_METHODS, IpcError } from '../../src-shared/ipc';
import { ClientCore } from '../../src-main/core/client-core';
import { tempDir, testPorts } from './helpers';

describe('ClientCore facade (no server)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function makeCore(dir?: string): { core: ClientCore; dir: string; ports: ReturnType<typeof testPorts> } {
    let dataDir = dir;
    if (!dataDir) {
      const t = tempDir();
      cleanups.push(t.cleanup);
      dataDir = t.dir;
    }
    const ports = testPorts();
    const core = new ClientCore({ dataDir, ports });
    cleanups.push(() => core.dispose());
    return { core, dir: dataDir, ports };
  }

  it('starts signed out and validates arguments at the boundary', async () => {
    const { core } = makeCore();
    await core.start();
    const session = await core.invoke('session.get', {});
    expect(IPC_METHODS['session.get'].result.parse(session)).toEqual({
      signed_in: false,
      user: null,
      server_url: null,
      server_url_locked: false,
    });
    const bad = await core.call('line.mute', { line_id: 5 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', temporary: false } });
    expect(await core.call('no.such', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    await expect(core.invoke('line.mute', { line_id: 'x', muted: true })).rejects.toBeInstanceOf(IpcError);
  });

  it('keeps settings across restarts and publishes changes', async () => {
    const { core, dir } = makeCore();
    const seen: string[] = [];
    core.subscribe('settings.changed', (s) => void seen.push(s.language));
    await core.invoke('settings.set', { language: 'zh-CN' });
    await core.dispose();
    expect(seen).toEqual(['zh-CN']);
    const again = makeCore(dir).core;
    expect((await again.invoke('settings.get', {})).language).toBe('zh-CN');
  });

  it('runs the request stack and records window state', async () => {
    const { core, ports } = makeCore();
    expect(await core.invoke('need.push', { need: { view: 'list' } })).toEqual({ depth: 1 });
    expect(await core.invoke('need.push', { need: { view: 'line', line_id: 'L1' } })).toEqual({ depth: 2 });
    expect(await core.invoke('need.pop', {})).toEqual({ depth: 1 });
    expect(await core.invoke('need.pop', {})).toEqual({ depth: 0 });
    expect(await core.invoke('need.pop', {})).toEqual({ depth: 0 });
    await core.invoke('window.focus', { focused: false, visible: false });
    expect(ports.window.get()).toEqual({ focused: false, visible: false, minimised: true });
  });

  it('opens only web links', async () => {
    const { core, ports } = makeCore();
    await core.invoke('link.open', { url: 'https://example.com/x' });
    expect(await core.call('link.open', { url: 'file:///etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(ports.links.opened).toEqual(['https://example.com/x']);
  });

  it('reports diagnostics that match the contract', async () => {
    const { core } = makeCore();
    const d = await core.invoke('diagnostics.get', {});
    expect(() => IPC_METHODS['diagnostics.get'].result.parse(d)).not.toThrow();
    expect(d.channel.status).toBe('signed_out');
  });

  it('dispose does not hang on a subscriber that never returns', async () => {
    const { core } = makeCore();
    core.subscribe('settings.changed', () => new Promise<void>(() => {}) as unknown as void);
    await core.invoke('settings.set', { close_to_tray: false });
    const started = Date.now();
    await core.dispose();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await core.call('settings.get', {})).toMatchObject({ ok: false, error: { code: 'DISPOSED' } });
  });
});
