import type { UiError } from '../../app/thunk';

/** Codes that mean "nothing answered at that address", whatever layer noticed it. */
const UNREACHABLE_CODES = new Set([
  'OFFLINE',
  'UNREACHABLE',
  'SERVER_UNREACHABLE',
  'NETWORK',
  'NETWORK_ERROR',
  'CONNECT_FAILED',
  'TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
]);
const KNOWN = new Set(['BAD_CREDENTIALS', 'ACCOUNT_DISABLED', 'PROTOCOL_VERSION', 'INVALID_ARGUMENT']);

/** The translation key (and its values) that explains a failed sign-in to the person at the desk. */
export function signInErrorText(error: UiError): { key: string; values: Record<string, string> } {
  if (KNOWN.has(error.code)) return { key: `signIn.errors.${error.code}`, values: {} };
  if (UNREACHABLE_CODES.has(error.code)) return { key: 'signIn.errors.UNREACHABLE', values: {} };
  return { key: 'signIn.errors.generic', values: { message: error.message || error.code } };
}
