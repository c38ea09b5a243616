import { wireError, type WireError } from '../../src-shared/protocol';
import type { Account } from '../store/types';
import type { ImContext } from './handlers';

export type Authentication = { ok: true; account: Account; expires_at: number } | { ok: false; error: WireError };

/** Token → current account. The account is re-read so a disabled user is refused at once. */
export async function authenticate(ctx: ImContext, token: string | null, forRefresh = false): Promise<Authentication> {
  if (!token) return { ok: false, error: wireError('UNAUTHENTICATED', 'missing bearer token') };
  const check = await ctx.tokens.verify(token, forRefresh);
  if (!check.ok) {
    return {
      ok: false,
      error: wireError(check.code, check.code === 'TOKEN_EXPIRED' ? 'token expired; refresh it' : 'invalid token'),
    };
  }
  const account = await ctx.store.getAccount(check.claims.uid);
  if (!account || account.role !== check.claims.role)
    return { ok: false, error: wireError('UNAUTHENTICATED', 'unknown account') };
  if (account.disabled) return { ok: false, error: wireError('ACCOUNT_DISABLED', 'account disabled') };
  return { ok: true, account, expires_at: check.claims.expires_at };
}

/** `Authorization: Bearer <token>` → token. */
export function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
