import { SignJWT, errors, jwtVerify } from 'jose';
import type { Role } from '../../src-shared/protocol';

/** What a session token asserts. Authorisation re-reads the account; the token only says who. */
export interface TokenClaims {
  uid: string;
  role: Role;
  merchant_id: string | null;
  /** Epoch ms. */
  expires_at: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; code: 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' };

/**
 * HS256 session tokens (jose). The secret is shared by every node through the store's meta table.
 * Expired tokens can still be exchanged for a fresh one during `refreshGraceMs` after expiry, so a
 * client that was asleep refreshes instead of asking the user to sign in again.
 */
export class TokenIssuer {
  private readonly key: Uint8Array;
  /**
   * Tokens already verified, by token text. HTTP clients present the same token on every request;
   * an HMAC check through WebCrypto each time dominated the long-poll path. Bounded, oldest first out.
   */
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    secret: string,
    private readonly ttlMs: number,
    private readonly refreshGraceMs: number,
    private readonly now: () => number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(claims: Omit<TokenClaims, 'expires_at'>): Promise<{ token: string; expires_at: number }> {
    const issuedAt = this.now();
    const expires_at = issuedAt + this.ttlMs;
    const token = await new SignJWT({ role: claims.role, mid: claims.merchant_id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.uid)
      .setIssuedAt(Math.floor(issuedAt / 1000))
      .setExpirationTime(Math.ceil(expires_at / 1000))
      .sign(this.key);
    return { token, expires_at: Math.ceil(expires_at / 1000) * 1000 };
  }

  /** Check a token; `forRefresh` accepts one that expired less than the refresh grace ago. */
  async verify(token: string, forRefresh = false): Promise<TokenCheck> {
    const known = this.verified.get(token);
    if (known && this.now() < known.expires_at) return { ok: true, claims: known };
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
        clockTolerance: forRefresh ? Math.floor(this.refreshGraceMs / 1000) : 0,
      });
      const role = payload.role;
      if (
        typeof payload.sub !== 'string' ||
        (role !== 'customer' && role !== 'staff') ||
        typeof payload.exp !== 'number'
      ) {
        return { ok: false, code: 'UNAUTHENTICATED' };
      }
      const mid = typeof payload.mid === 'string' ? payload.mid : null;
      const claims: TokenClaims = { uid: payload.sub, role, merchant_id: mid, expires_at: payload.exp * 1000 };
      if (this.now() < claims.expires_at) this.remember(token, claims);
      return { ok: true, claims };
    } catch (err) {
      return { ok: false, code: err instanceof errors.JWTExpired ? 'TOKEN_EXPIRED' : 'UNAUTHENTICATED' };
    }
  }

  private remember(token: string, claims: TokenClaims): void {
    if (this.verified.size >= 10_000) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
  }
}
