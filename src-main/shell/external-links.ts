import { isOpenableUrl } from '../ports/links';

/**
 * The allow-list for anything leaving the app for the OS browser (a link in a message, a
 * window.open, a navigation attempt): web links only, and none carrying credentials, which a
 * customer could use to make a link look like it goes somewhere else (`https://bank.com@evil.com`).
 */
export function isAllowedExternalUrl(raw: string): boolean {
  if (raw.length > 4096 || !isOpenableUrl(raw)) return false;
  const url = new URL(raw);
  return url.username === '' && url.password === '' && url.hostname !== '';
}
