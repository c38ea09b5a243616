/**
 * Locale-aware formatting of times, durations and numbers. Pure: the locale and "now" are
 * arguments. Intl formatters are costly to build, so each (locale, options) pair is built once.
 */

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

const DAY_MS = 86_400_000;

/** Local calendar day of an instant, as a sortable key "YYYY-MM-DD". */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function startOfDay(ts: number): number {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Time column of the conversation list: clock time today, weekday this week, else a date. */
export function formatListTime(ts: number, now: number, locale: string): string {
  const today = startOfDay(now);
  if (ts >= today) return dateFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(ts);
  if (ts >= today - 6 * DAY_MS) return dateFormat(locale, { weekday: 'short' }).format(ts);
  if (new Date(ts).getFullYear() === new Date(now).getFullYear())
    return dateFormat(locale, { month: 'short', day: 'numeric' }).format(ts);
  return dateFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(ts);
}

/** Day separator in a conversation: "Today"/"Yesterday" in the locale's words, else a full date. */
export function formatDayLabel(ts: number, now: number, locale: string): string {
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / DAY_MS);
  if (days >= 0 && days <= 1) {
    const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const label = rtf.format(-days, 'day');
    return label.charAt(0).toLocaleUpperCase(locale) + label.slice(1);
  }
  return dateFormat(locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(ts);
}

export function formatMessageTime(ts: number, locale: string): string {
  return dateFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(ts);
}

export function formatDateTime(ts: number, locale: string): string {
  return dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ts);
}

/** How long someone has waited, coarse on purpose: minutes under an hour, hours under a day, then days. */
export function formatWaiting(ms: number, locale: string): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60)
    return numberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'narrow' }).format(Math.max(1, minutes));
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return numberFormat(locale, { style: 'unit', unit: 'hour', unitDisplay: 'narrow' }).format(hours);
  return numberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'narrow' }).format(Math.floor(hours / 24));
}

export function formatNumber(n: number, locale: string): string {
  return numberFormat(locale, {}).format(n);
}

export function formatMoney(amount: number, currency: string, locale: string): string {
  return numberFormat(locale, { style: 'currency', currency }).format(amount);
}

/** Unread badge: exact up to 99, then "99+" (the number still per locale). */
export function formatBadge(n: number, locale: string): string {
  return n > 99 ? `${formatNumber(99, locale)}+` : formatNumber(n, locale);
}
