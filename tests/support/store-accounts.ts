import type { Role } from '../../src-shared/protocol';
import type { Account, Store } from '../../src-server/store/types';

/**
 * An account written straight into a store, with no password anyone could sign in with: for tests
 * and benchmarks that drive the store itself. Staff belong to `merchantId`; customers to no one.
 */
export async function storeAccount(
  store: Pick<Store, 'ensureAccount'>,
  account: string,
  role: Role,
  merchantId: string,
  options: { capacity?: number; now?: number } = {},
): Promise<Account> {
  const made = await store.ensureAccount(
    {
      account,
      password_hash: 'unused',
      role,
      display_name: account,
      merchant_id: role === 'staff' ? merchantId : null,
      capacity: options.capacity,
    },
    options.now ?? 0,
  );
  return made.account;
}
