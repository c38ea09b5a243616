import { describe } from 'vitest';
import { PostgresStore } from '../../src-server/store/postgres/store';
import { describeStoreContract } from '../support/store-contract';
import { createTestSchema } from './support/pg';

describe('PostgreSQL store', () => {
  // The very same cases as the SQLite store, each on a fresh schema.
  describeStoreContract('PostgreSQL', async () => {
    const schema = await createTestSchema('contract');
    const store = new PostgresStore({ url: schema.url, poolSize: 4 });
    await store.migrate();
    return {
      store,
      dispose: async () => {
        await store.close();
        await schema.drop();
      },
    };
  });
});
