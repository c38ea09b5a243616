import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES } from '../../src-shared/ipc';
import { BusiType, Content, ERROR_CODE_LIST } from '../../src-shared/protocol';
import { errorText } from '../../src-renderer/app/errorText';
import { bannerFor } from '../../src-renderer/features/connection/connectionSlice';
import { fillPlaceholders, appendToDraft } from '../../src-renderer/features/quickReplies/placeholders';
import { hitText, markMatches } from '../../src-renderer/features/search/hitText';
import { signInErrorText } from '../../src-renderer/features/session/signInError';
import { displayKeys, shortcutFor } from '../../src-renderer/features/shortcuts/keymap';
import { formatBadge, formatListTime, formatWaiting, formatMoney } from '../../src-renderer/format/intl';
import { createI18n } from '../../src-renderer/i18n';
import { en } from '../../src-renderer/i18n/en';
import { zhCN } from '../../src-renderer/i18n/zh-CN';
import { BUSI_TYPES } from '../../src-renderer/registry/busiTypes';
import { CONTENT_TYPES, previewOf } from '../../src-renderer/registry/contentTypes';
import { splitLinks } from '../../src-renderer/registry/linkify';
import { resolveServerImage } from '../../src-renderer/registry/media';
import { makeMessage, NOW } from './support/fixtures';

const press = (
  key: string,
  mods: Partial<{ altKey: boolean; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }> = {},
) => ({
  key,
  altKey: false,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});

function keysOf(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keysOf(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('layout registry (seed 2.3)', () => {
  it('has exactly one entry per content type and per busi_type of the protocol', () => {
    const contentTypes = Content.options.map((o) => o.shape.type.value).sort();
    expect(Object.keys(CONTENT_TYPES).sort()).toEqual(contentTypes);
    expect(Object.keys(BUSI_TYPES).sort()).toEqual([...BusiType.options].sort());
  });

  it('each content entry validates its own sample and previews it', () => {
    const t = createI18n('en').t;
    const samples = {
      text: { type: 'text', text: 'Is breakfast included?' },
      image: { type: 'image', url: '/v1/media/a.png', width: 10, height: 10, mime: 'image/png' },
      card: {
        type: 'card',
        card_kind: 'room',
        object_id: 'r1',
        title: 'Deluxe twin',
        price: { amount: 88, currency: 'CNY' },
      },
      system: {
        type: 'system',
        code: 'line.transferred',
        text: 'transferred',
        params: { staff_uid: 's2', staff_name: 'Wang Wei' },
      },
    } as const;
    const previews = Object.fromEntries(
      Object.entries(CONTENT_TYPES).map(([type, entry]) => {
        const sample = samples[type as keyof typeof samples];
        expect(entry.schema.safeParse(sample).success).toBe(true);
        return [type, (entry.preview as (c: unknown, tt: typeof t) => string)(sample, t)];
      }),
    );
    expect(previews).toEqual({
      text: 'Is breakfast included?',
      image: '[Image]',
      card: '[Room] Deluxe twin',
      system: 'This conversation was transferred to Wang Wei',
    });
  });

  it('prefixes our own messages in previews and falls back to the server text for unknown system codes', () => {
    const t = createI18n('zh-CN').t;
    expect(previewOf(makeMessage('L1', { sender_role: 'staff', content: { type: 'text', text: '好的' } }), t)).toBe(
      '我：好的',
    );
    expect(
      previewOf(makeMessage('L1', { content: { type: 'system', code: 'weird code', text: 'server says' } }), t),
    ).toBe('server says');
    expect(previewOf(null, t)).toBe('暂无消息');
    const notice = (params: Record<string, string>) =>
      makeMessage('L1', {
        sender_role: 'staff',
        content: { type: 'system', code: 'line.transferred', text: 'server text', params },
      });
    expect(previewOf(notice({ staff_name: '王波', from_staff_name: '李娜' }), t)).toBe('李娜 将会话转给了 王波');
    expect(previewOf(notice({ staff_name: '王波' }), t)).toBe('会话已转给 王波');
    expect(previewOf(notice({}), t)).toBe('server text'); // names missing: the server's words, not a template
  });
});

describe('i18n', () => {
  it('has the same keys in English and Simplified Chinese', () => {
    expect(keysOf(zhCN).sort()).toEqual(keysOf(en).sort());
  });
  it('switches language at run time', async () => {
    const i18n = createI18n('en');
    expect(i18n.t('nav.settings')).toBe('Settings');
    await i18n.changeLanguage('zh-CN');
    expect(i18n.t('nav.settings')).toBe('设置');
    expect(i18n.t('list.count', { count: 10000 })).toBe('10,000 个会话');
  });
});

describe('message text safety', () => {
  it('splits http(s) links out of text and leaves everything else as text', () => {
    expect(splitLinks('See https://example.com/a?b=1. Or javascript:alert(1) <b>x</b>')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1', url: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. Or javascript:alert(1) <b>x</b>' },
    ]);
    expect(splitLinks('无链接')).toEqual([{ kind: 'text', text: '无链接' }]);
    expect(splitLinks('看这里：http://a.cn/x。')).toEqual([
      { kind: 'text', text: '看这里：' },
      { kind: 'link', text: 'http://a.cn/x', url: 'http://a.cn/x' },
      { kind: 'text', text: '。' },
    ]);
  });

  it('loads images only from the signed-in server: its own media paths, nothing absolute', () => {
    const path = `/v1/media/${'a'.repeat(64)}.png`;
    expect(resolveServerImage(path)).toBe(path);
    expect(resolveServerImage(`http://127.0.0.1:7001${path}`)).toBeNull();
    expect(resolveServerImage('/v1/media/abc.png')).toBeNull();
    expect(resolveServerImage(`/v1/media/${'a'.repeat(64)}.svg`)).toBeNull();
    expect(resolveServerImage(`/v1/media/../${'a'.repeat(64)}.png`)).toBeNull();
    expect(resolveServerImage('https://tracker.example/pixel.gif')).toBeNull();
    expect(resolveServerImage('//evil.example/x.png')).toBeNull();
    expect(resolveServerImage('data:image/png;base64,AAAA')).toBeNull();
  });
});

describe('search hits', () => {
  it('shows the message when the match is near its start, else the snippet, with matches marked', () => {
    expect(hitText('The air conditioning was noisy', 'air cond…', 'AIR')).toEqual([
      { text: 'The ', match: false },
      { text: 'air', match: true },
      { text: ' conditioning was noisy', match: false },
    ]);
    const long = `${'x'.repeat(80)} needle`;
    expect(hitText(long, '…x needle', 'needle').map((r) => r.text)).toEqual(['…x ', 'needle']);
    expect(markMatches('a-a', 'a')).toEqual([
      { text: 'a', match: true },
      { text: '-', match: false },
      { text: 'a', match: true },
    ]);
  });
});

describe('quick reply placeholders', () => {
  it('fills known placeholders, keeps unknown ones visible', () => {
    expect(
      fillPlaceholders('Hi {customer_name}, {object_title} by {staff_name}. {nope}', {
        customer_name: 'Ann',
        object_title: 'Lake Hotel',
        staff_name: 'Li',
      }),
    ).toBe('Hi Ann, Lake Hotel by Li. {nope}');
  });
  it('appends to a draft on a new line', () => {
    expect(appendToDraft('', 'x')).toBe('x');
    expect(appendToDraft('a', 'x')).toBe('a\nx');
    expect(appendToDraft('a\n', 'x')).toBe('a\nx');
  });
});

describe('keyboard map', () => {
  it('maps presses to shortcuts, ignoring "?" while typing', () => {
    expect(shortcutFor(press('ArrowDown', { altKey: true }), false, false)?.id).toBe('nextLine');
    expect(shortcutFor(press('ArrowUp', { altKey: true }), true, false)?.id).toBe('prevLine');
    expect(shortcutFor(press('ArrowDown', { altKey: true, shiftKey: true }), false, false)?.id).toBe('nextUnread');
    expect(shortcutFor(press('k', { ctrlKey: true }), true, false)?.id).toBe('focusSearch');
    expect(shortcutFor(press('k', { metaKey: true }), true, true)?.id).toBe('focusSearch');
    expect(shortcutFor(press('k', { ctrlKey: true }), true, true)).toBeNull();
    expect(shortcutFor(press('?', { shiftKey: true }), false, false)?.id).toBe('help');
    expect(shortcutFor(press('?', { shiftKey: true }), true, false)).toBeNull();
    expect(shortcutFor(press('Enter'), true, false)).toBeNull();
    expect(displayKeys('Mod+K', true)).toEqual(['⌘', 'K']);
  });
});

describe('locale formatting', () => {
  it('formats list times, waiting and money per locale', () => {
    const today = new Date(2024, 4, 14, 9, 5).getTime();
    expect(formatListTime(today, NOW, 'en')).toMatch(/09:05/);
    expect(formatListTime(new Date(2024, 0, 3).getTime(), NOW, 'zh-CN')).toBe('1月3日');
    expect(formatListTime(new Date(2022, 0, 3).getTime(), NOW, 'en')).toBe('Jan 3, 2022');
    expect(formatWaiting(5 * 60_000, 'en')).toBe('5m');
    expect(formatWaiting(3 * 3_600_000, 'zh-CN')).toBe('3小时');
    expect(formatWaiting(10_000, 'en')).toBe('1m');
    expect(formatBadge(120, 'en')).toBe('99+');
    expect(formatMoney(1288, 'CNY', 'zh-CN')).toBe('¥1,288.00');
  });
});

describe('sign-in errors', () => {
  it('explains each failure in words', () => {
    expect(signInErrorText({ code: 'BAD_CREDENTIALS', message: 'x' }).key).toBe('signIn.errors.BAD_CREDENTIALS');
    expect(signInErrorText({ code: 'PROTOCOL_VERSION', message: 'x' }).key).toBe('signIn.errors.PROTOCOL_VERSION');
    expect(signInErrorText({ code: 'SERVER_UNREACHABLE', message: 'x' }).key).toBe('signIn.errors.UNREACHABLE');
    expect(signInErrorText({ code: 'WEIRD', message: 'boom' })).toEqual({
      key: 'signIn.errors.generic',
      values: { message: 'boom' },
    });
  });
});

describe('call errors', () => {
  const codes = [...ERROR_CODE_LIST, ...Object.keys(CLIENT_ERROR_CODES), 'BRIDGE_CLOSED'];
  it.each(['en', 'zh-CN'] as const)('are said in words in %s, never as a code or a key', (language) => {
    const { t } = createI18n(language);
    for (const code of codes) {
      const text = errorText(t, { code, message: '' });
      expect(text, code).not.toBe('');
      expect(text, code).not.toContain(code);
      expect(text, code).not.toMatch(/^[a-zA-Z]+\.[a-zA-Z.]+$/);
    }
  });
  it('translates what the user can act on and keeps the core’s words for the rest', () => {
    const { t } = createI18n('zh-CN');
    expect(errorText(t, { code: 'OFFLINE', message: 'not connected to the server' })).toBe(
      '当前离线，请在连接恢复后重试。',
    );
    expect(errorText(t, { code: 'STORE_CORRUPT', message: 'The local database is damaged' })).toBe(
      'The local database is damaged',
    );
  });
});

describe('connection banner', () => {
  const base = { transport: null, retry_at: null, last_error: null, since: 0 } as const;
  it('says offline, counts down a backoff, and flags the long-poll fallback', () => {
    expect(bannerFor({ bridge: 'up', channel: { ...base, status: 'offline' } }, 0)).toEqual({ kind: 'offline' });
    expect(bannerFor({ bridge: 'up', channel: { ...base, status: 'backoff', retry_at: 10_500 } }, 1_000)).toEqual({
      kind: 'backoff',
      seconds: 10,
    });
    expect(bannerFor({ bridge: 'up', channel: { ...base, status: 'online', transport: 'poll' } }, 0)).toEqual({
      kind: 'poll',
    });
    expect(bannerFor({ bridge: 'up', channel: { ...base, status: 'online', transport: 'ws' } }, 0)).toBeNull();
    expect(bannerFor({ bridge: 'down', channel: { ...base, status: 'online', transport: 'ws' } }, 0)).toEqual({
      kind: 'bridge',
    });
  });
});
