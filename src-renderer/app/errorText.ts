import type { TFunction } from 'i18next';
import type { UiError } from './thunk';

/**
 * Codes the person at the desk can act on, by the sentence that says what to do. The core keeps
 * the code so the renderer can translate it; its message is written for the log (and in English).
 */
const KEY_BY_CODE: Record<string, string> = {
  OFFLINE: 'errors.offline',
  NETWORK: 'errors.offline',
  TIMEOUT: 'errors.timeout',
  BRIDGE_CLOSED: 'errors.bridge',
  RATE_LIMITED: 'errors.rateLimited',
  SERVER_DRAINING: 'errors.serverBusy',
  STORAGE_UNAVAILABLE: 'errors.serverBusy',
  INTERNAL: 'errors.unexpected',
  FORBIDDEN: 'errors.forbidden',
  NOT_FOUND: 'errors.notFound',
  UNAUTHENTICATED: 'errors.signedOut',
  BAD_CREDENTIALS: 'errors.signedOut',
  ACCOUNT_DISABLED: 'signIn.errors.ACCOUNT_DISABLED',
  PROTOCOL_VERSION: 'signIn.errors.PROTOCOL_VERSION',
  TOKEN_EXPIRED: 'errors.signedOut',
  NOT_SIGNED_IN: 'errors.signedOut',
  MESSAGE_TOO_LONG: 'errors.tooLong',
  PAYLOAD_TOO_LARGE: 'errors.tooLarge',
  STORE_FULL: 'errors.diskFull',
  /** Raised by the renderer itself for a pasted or picked file it cannot send. */
  IMAGE_TYPE: 'errors.imageType',
};

/** A failed call, said in the UI's language; an unknown code shows the core's own words, never a bare code. */
export function errorText(t: TFunction, error: Pick<UiError, 'code'> & { message?: string }): string {
  const key = KEY_BY_CODE[error.code];
  if (key) return t(key);
  return error.message || t('errors.unexpected');
}
