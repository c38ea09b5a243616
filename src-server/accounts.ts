import type { Role } from '../src-shared/protocol';
import { DEFAULT_PASSWORD_COST, hashPassword, type PasswordCost } from './auth/passwords';
import type { Account, Store } from './store/types';

export interface AccountSpec {
  account: string;
  password: string;
  role: Role;
  display_name: string;
  merchant_id?: string | null;
  capacity?: number;
}

/**
 * Create a sign-in account (idempotent on the login name: an existing account is returned as is).
 * Staff need a merchant that exists (`store.putMerchant`).
 */
export async function createAccount(
  store: Store,
  spec: AccountSpec,
  options: { now?: number; cost?: PasswordCost } = {},
): Promise<Account> {
  const existing = await store.findAccountByLogin(spec.account);
  if (existing) {
    const { password_hash: _hash, ...account } = existing;
    return account;
  }
  const password_hash = await hashPassword(spec.password, options.cost ?? DEFAULT_PASSWORD_COST);
  const { account } = await store.ensureAccount(
    {
      account: spec.account,
      password_hash,
      role: spec.role,
      display_name: spec.display_name,
      merchant_id: spec.role === 'staff' ? (spec.merchant_id ?? null) : null,
      capacity: spec.capacity,
    },
    options.now ?? Date.now(),
  );
  return account;
}
