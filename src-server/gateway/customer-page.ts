import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { LineObject } from '../../src-shared/protocol';
import { DEMO_OBJECTS } from '../demo/seed';
import type { Store } from '../store/types';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/**
 * The small customer chat page at /customer/ (long-polling client, plain HTML + JS) and the
 * products it offers: the demo catalogue entries this server actually has.
 */
export async function registerCustomerPage(app: FastifyInstance, store: Store): Promise<void> {
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/customer/' });
  app.get('/customer', (_req, res) => res.redirect('/customer/'));
  app.get('/customer/catalogue.json', async () => {
    const present: LineObject[] = [];
    for (const o of DEMO_OBJECTS) {
      if (o.kind !== 'merchant' && (await store.getObject(o.object_id))) present.push(o);
    }
    return present;
  });
}
