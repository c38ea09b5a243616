import { describe, expect, it } from 'vitest';
import { TrayController } from '../../src-main/electron/tray';
import type { AttentionFacts, TrayMenuId } from '../../src-main/shell/tray-model';

const icon = (name: string) => ({ name }) as never;
const initial: AttentionFacts = {
  unreadTotal: 0,
  pausedUntil: null,
  connected: true,
  language: 'en',
  now: 0,
  formatTime: () => '09:00',
};

function setup(platform: NodeJS.Platform, withTray = true) {
  const trayCalls: unknown[][] = [];
  const badge: number[] = [];
  const overlay: [string | null, string][] = [];
  const menu: TrayMenuId[] = [];
  const activated: string[] = [];
  let clickHandler: (() => void) | null = null;
  let lastTemplate: { id?: string; click?: () => void; type?: string }[] = [];
  const controller = new TrayController({
    platform,
    createTray: withTray
      ? (image) => {
          trayCalls.push(['create', (image as unknown as { name: string }).name]);
          return {
            setImage: (img: { name: string }) => trayCalls.push(['image', img.name]),
            setToolTip: (t: string) => trayCalls.push(['tooltip', t]),
            setContextMenu: () => trayCalls.push(['menu', lastTemplate.map((i) => i.id ?? '-')]),
            on: (_e: string, fn: () => void) => {
              clickHandler = fn;
            },
            destroy: () => trayCalls.push(['destroy']),
          } as never;
        }
      : null,
    buildMenu: (template) => {
      lastTemplate = template as typeof lastTemplate;
      return template as never;
    },
    icons: {
      tray: { idle: icon('idle'), unread: icon('unread'), paused: icon('paused'), offline: icon('offline') },
      overlay: icon('overlay'),
    },
    setBadgeCount: (n) => badge.push(n),
    window: () =>
      ({
        isDestroyed: () => false,
        setOverlayIcon: (img: { name: string } | null, d: string) => overlay.push([img?.name ?? null, d]),
      }) as never,
    onMenu: (id) => menu.push(id),
    onActivate: () => activated.push('open'),
    initial,
  });
  return {
    controller,
    trayCalls,
    badge,
    overlay,
    menu,
    activated,
    click: () => clickHandler?.(),
    template: () => lastTemplate,
  };
}

describe('tray and badge follow unread counts', () => {
  it('on macOS: dock badge and tray icon track the total, touching only what changed', () => {
    const t = setup('darwin');
    t.controller.update({ unreadTotal: 3 });
    t.controller.update({ unreadTotal: 3 });
    t.controller.update({ unreadTotal: 4 });
    t.controller.update({ unreadTotal: 0 });
    expect(t.badge).toEqual([0, 3, 4, 0]);
    expect(t.trayCalls.filter((c) => c[0] === 'image')).toEqual([
      ['image', 'idle'],
      ['image', 'unread'],
      ['image', 'idle'],
    ]);
    expect(t.overlay).toEqual([]);
    expect(t.trayCalls.filter((c) => c[0] === 'menu')).toHaveLength(1);
  });

  it('on Windows: the taskbar overlay shows and clears, no setBadgeCount', () => {
    const t = setup('win32');
    t.controller.update({ unreadTotal: 2 });
    t.controller.update({ unreadTotal: 5 });
    t.controller.update({ unreadTotal: 0 });
    expect(t.badge).toEqual([]);
    expect(t.overlay).toEqual([
      ['overlay', '2 unread messages'],
      ['overlay', '5 unread messages'],
      [null, ''],
    ]);
    t.click();
    expect(t.activated).toEqual(['open']);
  });

  it('without a tray (stock GNOME) still sets the launcher badge', () => {
    const t = setup('linux', false);
    expect(t.controller.available).toBe(false);
    t.controller.update({ unreadTotal: 7 });
    expect(t.badge).toEqual([0, 7]);
  });

  it('rebuilds the menu for a pause and routes its items', () => {
    const t = setup('linux');
    expect(t.template().map((i) => i.id ?? i.type)).toEqual([
      'open',
      'separator',
      'pause-1h',
      'pause-tomorrow',
      'separator',
      'quit',
    ]);
    t.template().find((i) => i.id === 'pause-1h')!.click!();
    expect(t.menu).toEqual(['pause-1h']);
    t.controller.update({ pausedUntil: 10_000, now: 1 });
    expect(t.template().map((i) => i.id ?? i.type)).toEqual(['open', 'separator', 'resume', 'separator', 'quit']);
    expect(t.trayCalls.filter((c) => c[0] === 'image').at(-1)).toEqual(['image', 'paused']);
    t.controller.dispose();
    expect(t.trayCalls.at(-1)).toEqual(['destroy']);
    expect(t.badge.at(-1)).toBe(0);
  });
});
