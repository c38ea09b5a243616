import { EventEmitter } from 'node:events';
import type { NotificationConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { ElectronNotifier } from '../../src-main/electron/notifier';
import { LinkInbox } from '../../src-main/electron/shell-app';
import { findLineLinkInArgv, type LineLink } from '../../src-main/shell/deep-link';
import type { NotificationSpec } from '../../src-main/ports/notifier';

class FakeNotification extends EventEmitter {
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
  click(): void {
    this.emit('click');
  }
}

function setup(platform: NodeJS.Platform = 'darwin', supported = true) {
  const created: FakeNotification[] = [];
  const focus: string[] = [];
  const errors: Error[] = [];
  const notifier = new ElectronNotifier({
    factory: {
      isSupported: () => supported,
      create: (options) => {
        const n = new FakeNotification(options);
        created.push(n);
        return n as never;
      },
    },
    platform,
    focusApp: () => focus.push('focus'),
    onError: (e) => errors.push(e),
  });
  return { notifier, created, focus, errors };
}

const spec = (tag: string, count: number, over: Partial<NotificationSpec> = {}): NotificationSpec => ({
  tag,
  title: `Customer ${tag}`,
  body: `${count} new messages`,
  count,
  sound: true,
  ...over,
});

describe('OS notifications: one per conversation, click routing', () => {
  it('updates a line notification instead of stacking a second one', () => {
    const { notifier, created } = setup();
    notifier.show(spec('L1', 1), () => {});
    notifier.show(spec('L2', 1), () => {});
    notifier.show(spec('L1', 2), () => {});
    expect(created.map((n) => [n.options.title, n.options.body, n.shown, n.closed])).toEqual([
      ['Customer L1', '1 new messages', true, true],
      ['Customer L2', '1 new messages', true, false],
      ['Customer L1', '2 new messages', true, false],
    ]);
    expect(notifier.liveTags().sort()).toEqual(['L1', 'L2']);
  });

  it('focuses the app, then lets the core open the clicked line, once', () => {
    const { notifier, created, focus } = setup();
    const opened: string[] = [];
    notifier.show(spec('L1', 1), () => opened.push('L1'));
    notifier.show(spec('L2', 1), () => opened.push('L2'));
    created[1]!.click();
    created[1]!.click();
    expect(focus).toEqual(['focus']);
    expect(opened).toEqual(['L2']);
    expect(notifier.liveTags()).toEqual(['L1']);
  });

  it('ignores a click on a notification that was replaced', () => {
    const { notifier, created } = setup();
    const opened: number[] = [];
    notifier.show(spec('L1', 1), () => opened.push(1));
    notifier.show(spec('L1', 2), () => opened.push(2));
    created[1]!.click();
    expect(opened).toEqual([2]);
  });

  it('on Windows, makes the toast open its line through the protocol, also after a restart', () => {
    const { notifier, created } = setup('win32');
    notifier.show(spec('L 9', 1, { sound: false }), () => {});
    const xml = created[0]!.options.toastXml!;
    expect(xml).toContain('launch="merchant-im://line/L%209" activationType="protocol"');
    expect(xml).toContain('<audio silent="true"/>');
    // What Windows hands to the (possibly new) app process when the toast is clicked:
    const argv = ['C:\\Program Files\\Merchant IM\\Merchant IM.exe', '--', 'merchant-im://line/L%209'];
    const delivered: LineLink[] = [];
    const inbox = new LinkInbox();
    inbox.push(findLineLinkInArgv(argv));
    inbox.connect((link) => delivered.push(link));
    expect(delivered).toEqual([{ line_id: 'L 9', message_id: null }]);
  });

  it('shows nothing where notifications are unsupported, and survives a failing backend', () => {
    const off = setup('linux', false);
    off.notifier.show(spec('L1', 1), () => {});
    expect(off.created).toEqual([]);
    expect(off.notifier.supported).toBe(false);

    const errors: string[] = [];
    const broken = new ElectronNotifier({
      factory: {
        isSupported: () => true,
        create: () => {
          throw new Error('no notification daemon');
        },
      },
      platform: 'linux',
      focusApp: () => {},
      onError: (e) => errors.push(e.message),
    });
    broken.show(spec('L1', 1), () => {});
    expect(errors).toEqual(['no notification daemon']);
  });

  it('leaves notifications in place on dispose, so they still open their line later', () => {
    const { notifier, created } = setup('win32');
    notifier.show(spec('L1', 1), () => {});
    notifier.dispose();
    expect(created[0]!.closed).toBe(false);
    notifier.show(spec('L2', 1), () => {});
    expect(created).toHaveLength(1);
  });
});

describe('deep-link inbox', () => {
  it('keeps the latest link until the app can open it, then delivers directly', () => {
    const inbox = new LinkInbox();
    const got: string[] = [];
    inbox.push({ line_id: 'A', message_id: null });
    inbox.push(null);
    inbox.push({ line_id: 'B', message_id: null });
    inbox.connect((l) => got.push(l.line_id));
    inbox.push({ line_id: 'C', message_id: null });
    expect(got).toEqual(['B', 'C']);
  });
});
