import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccount, startServer, type RunningServer } from '../../src-server';
import { PgMediaStore } from '../../src-server/media/postgres-store';
import { PostgresStore } from '../../src-server/store/postgres/store';
import { IMAGES, uploadImage } from '../support/media';
import { HttpClient, signIn } from '../support/protocol-client';
import { TEST_PASSWORD, TEST_PASSWORD_COST, rid } from '../support/test-server';
import { createTestSchema, type TestSchema } from './support/pg';

/** Uploaded images in the cluster's PostgreSQL: any node sends and serves what another stored. */
let schema: TestSchema;
beforeEach(async () => {
  schema = await createTestSchema('media');
});
afterEach(async () => {
  await schema.drop();
});

const nameOf = (bytes: Uint8Array, ext: string): string => `${createHash('sha256').update(bytes).digest('hex')}.${ext}`;

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('PgMediaStore', () => {
  let store: PostgresStore;
  beforeEach(async () => {
    store = new PostgresStore({ url: schema.url, poolSize: 2 });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
  });

  it('stores by name and reads the same bytes back', async () => {
    const media = new PgMediaStore(store.db, () => 1_700_000_000_000);
    const png = IMAGES['image/png'];
    const name = nameOf(png, 'png');
    expect(await media.has(name)).toBe(false);
    expect(await media.read(name)).toBeNull();
    await media.put(name, png);
    expect(await media.has(name)).toBe(true);
    const found = await media.read(name);
    expect(found?.size).toBe(png.length);
    expect((await bytesOf(found!.body)).equals(png)).toBe(true);
    const { rows } = await schema.admin.query(`SELECT size, created_at FROM ${schema.name}.media WHERE name = $1`, [
      name,
    ]);
    expect(rows).toEqual([{ size: png.length, created_at: '1700000000000' }]);
  });

  it('puts idempotently, also when two race', async () => {
    const media = new PgMediaStore(store.db);
    const gif = IMAGES['image/gif'];
    const name = nameOf(gif, 'gif');
    await Promise.all([media.put(name, gif), media.put(name, gif)]);
    await media.put(name, gif);
    const { rows } = await schema.admin.query(`SELECT COUNT(*)::int AS n FROM ${schema.name}.media`);
    expect(rows).toEqual([{ n: 1 }]);
    expect((await bytesOf((await media.read(name))!.body)).equals(gif)).toBe(true);
  });
});

describe('images across cluster nodes', () => {
  const nodes: RunningServer[] = [];
  const clients: HttpClient[] = [];
  const dataDirs: string[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const n of nodes.splice(0)) await n.close();
    for (const d of dataDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function startNode(i: number): Promise<RunningServer> {
    const dataDir = mkdtempSync(join(tmpdir(), 'im-media-node-'));
    dataDirs.push(dataDir);
    const node = await startServer({
      dataDir,
      logger: false,
      cluster: { dbUrl: schema.url, nodeId: `media-${i}`, dbPoolSize: 3 },
    });
    nodes.push(node);
    return node;
  }

  async function http(node: RunningServer, login: string): Promise<HttpClient> {
    const { token } = await signIn(node.url, login, TEST_PASSWORD, `${login}-${node.url}`);
    const client = new HttpClient(node.url, token, `${login}-${node.url}`);
    clients.push(client);
    return client;
  }

  it('an image uploaded through node A is sent through node B and served by B', async () => {
    const a = await startNode(0);
    const b = await startNode(1);
    await a.store.putMerchant({ merchant_id: 'm1', name: 'Hotel' }, Date.now());
    await a.store.putObject({ object_id: 'room', kind: 'room', title: 'Room', merchant_id: 'm1' });
    for (const [login, role] of [
      ['staff1', 'staff'],
      ['cust1', 'customer'],
    ] as const)
      await createAccount(
        a.store,
        {
          account: login,
          password: TEST_PASSWORD,
          role,
          merchant_id: role === 'staff' ? 'm1' : null,
          display_name: login,
        },
        { cost: TEST_PASSWORD_COST },
      );

    const customerOnA = await http(a, 'cust1');
    const png = IMAGES['image/png'];
    const up = await uploadImage(a.url, customerOnA.token, png, { width: 4, height: 3 });
    if (!up.ok) throw new Error(`upload failed: ${up.error.code}`);

    const customerOnB = await http(b, 'cust1');
    const sent = await customerOnB.request('send', {
      random_id: rid(),
      to: { object_id: 'room', busi_type: 'consult' },
      content: up.image,
    });
    expect(sent.message.content).toEqual(up.image);

    const staffOnB = await http(b, 'staff1');
    const res = await fetch(`${b.url}${up.image.url}`, { headers: { authorization: `Bearer ${staffOnB.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(png.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    // Nothing went to the nodes' own disks.
    for (const dir of dataDirs) expect(existsSync(join(dir, 'media'))).toBe(false);
  });
});
