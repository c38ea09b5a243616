import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ElectronLinkOpener,
  ElectronNetworkMonitor,
  ElectronPowerEvents,
  ElectronWindowState,
  safeStorageSecretBox,
} from '../../src-main/electron/ports';
import { plainSecretBox } from '../../src-main/ports/secrets';
import { FakeClock } from '../../src-main/ports/testing';
import type { PowerEvent } from '../../src-main/ports/power';

describe('Electron ports for the client core', () => {
  it('reports network changes from net.isOnline within one interval and stops on dispose', async () => {
    const clock = new FakeClock();
    let online = true;
    const monitor = new ElectronNetworkMonitor({ isOnline: () => online }, clock, 2000);
    const seen: boolean[] = [];
    monitor.onChange((o) => seen.push(o));
    online = false;
    await clock.advance(1999);
    expect(seen).toEqual([]);
    await clock.advance(1);
    expect(seen).toEqual([false]);
    expect(monitor.isOnline()).toBe(false);
    online = true;
    await clock.advance(2000);
    expect(seen).toEqual([false, true]);
    monitor.dispose();
    expect(clock.pending()).toBe(0);
  });

  it('feeds suspend/resume/lock/unlock from powerMonitor and detaches on dispose', () => {
    const powerMonitor = new EventEmitter();
    const power = new ElectronPowerEvents(powerMonitor as never);
    const seen: PowerEvent[] = [];
    power.onEvent((e) => seen.push(e));
    for (const e of ['suspend', 'resume', 'lock-screen', 'unlock-screen', 'shutdown']) powerMonitor.emit(e);
    expect(seen).toEqual(['suspend', 'resume', 'lock-screen', 'unlock-screen']);
    power.dispose();
    expect(powerMonitor.eventNames()).toEqual([]);
  });

  it('reads focus and visibility from the window itself and ignores renderer reports', () => {
    const win = Object.assign(new EventEmitter(), {
      focused: true,
      minimized: false,
      visible: true,
      isFocused() {
        return this.focused;
      },
      isMinimized() {
        return this.minimized;
      },
      isVisible() {
        return this.visible;
      },
      isDestroyed: () => false,
    });
    const state = new ElectronWindowState();
    const seen: string[] = [];
    state.onChange((s) => seen.push(`${s.focused}/${s.minimised}/${s.visible}`));
    state.attach(win as never);
    win.focused = false;
    win.emit('blur');
    win.visible = false;
    win.emit('hide');
    win.emit('hide');
    state.report();
    expect(seen).toEqual(['true/false/true', 'false/false/true', 'false/false/false']);
    win.emit('closed');
    expect(state.get()).toEqual({ focused: false, minimised: false, visible: false });
    state.dispose();
  });

  it('seals secrets with safeStorage when the OS keychain is available', () => {
    const safe = {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(`enc:${s}`),
      decryptString: (b: Buffer) => b.toString().slice(4),
    };
    const box = safeStorageSecretBox(safe, plainSecretBox);
    expect(box.kind).toBe('safeStorage');
    expect(box.open(box.seal('token'))).toBe('token');
    expect(box.seal('token').toString()).toBe('enc:token');
    expect(safeStorageSecretBox({ ...safe, isEncryptionAvailable: () => false }, plainSecretBox)).toBe(plainSecretBox);
  });

  it('opens only allow-listed links in the OS browser', async () => {
    const opened: string[] = [];
    const opener = new ElectronLinkOpener({ openExternal: (url: string) => (opened.push(url), Promise.resolve()) });
    await opener.open('https://example.com/a');
    await expect(opener.open('file:///etc/passwd')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(opened).toEqual(['https://example.com/a']);
  });
});
