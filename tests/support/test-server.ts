import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRandomId, type LineObject } from '../../src-shared/protocol';
import { createAccount, startServer, type RunningServer, type StartServerOptions } from '../../src-server';
import type { Account } from '../../src-server';
import { HttpClient, InboxReader, WsClient, signIn } from './protocol-client';

/** Cheap scrypt parameters for test accounts: the real cost is covered by the auth tests. */
export const TEST_PASSWORD_COST = { N: 1 << 10, r: 8, p: 1 };
export const TEST_PASSWORD = 'pw';

export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  /** Merchant plus a catalogue object of the same id (kind 'merchant'). */
  addMerchant(merchantId: string, name?: string): Promise<void>;
  addObject(object: Omit<LineObject, 'title'> & { title?: string }): Promise<LineObject>;
  addStaff(login: string, merchantId: string, extra?: { capacity?: number; display_name?: string }): Promise<Account>;
  addCustomer(login: string, extra?: { display_name?: string }): Promise<Account>;
  /** Sign in over HTTP and open a WebSocket (hello done). */
  connectWs(login: string, device?: string, extra?: { focused?: boolean; autoPong?: boolean }): Promise<WsClient>;
  /** Sign in over HTTP and return an rpc/long-poll client. */
  connectHttp(login: string, device?: string): Promise<HttpClient>;
  /** Restart on the same data dir (graceful unless `kill`); the url changes. */
  restart(how?: 'close' | 'kill', overrides?: Partial<StartServerOptions>): Promise<void>;
  /** Close every client opened through this helper and the server, and delete the data dir. */
  stop(): Promise<void>;
  track<T extends { close(): Promise<void> } | { stop(): Promise<void> }>(thing: T): T;
}

let deviceCounter = 0;
export function uniqueDevice(prefix = 'dev'): string {
  return `${prefix}-${process.pid}-${++deviceCounter}`;
}

export function rid(): string {
  return makeRandomId(Date.now(), Math.random);
}

/** A real server on loopback (port 0) over a fresh temp data dir, silent logs, small heartbeats. */
export async function startTestServer(options: Partial<StartServerOptions> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'im-server-test-'));
  const base: StartServerOptions = { dataDir, logger: false, port: 0, ...options };
  let server = await startServer(base);
  const tracked = new Set<{ close(): Promise<void> } | { stop(): Promise<void> }>();
  const track = <T extends { close(): Promise<void> } | { stop(): Promise<void> }>(thing: T): T => {
    tracked.add(thing);
    return thing;
  };
  const t: TestServer = {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    dataDir,
    track,
    async addMerchant(merchantId, name = merchantId) {
      await server.store.putMerchant({ merchant_id: merchantId, name }, Date.now());
      await server.store.putObject({ object_id: merchantId, kind: 'merchant', title: name, merchant_id: merchantId });
    },
    async addObject(o) {
      const object: LineObject = { title: o.object_id, ...o };
      await server.store.putObject(object);
      return object;
    },
    addStaff(login, merchantId, extra = {}) {
      return createAccount(
        server.store,
        {
          account: login,
          password: TEST_PASSWORD,
          role: 'staff',
          merchant_id: merchantId,
          display_name: extra.display_name ?? login,
          capacity: extra.capacity,
        },
        { cost: TEST_PASSWORD_COST },
      );
    },
    addCustomer(login, extra = {}) {
      return createAccount(
        server.store,
        { account: login, password: TEST_PASSWORD, role: 'customer', display_name: extra.display_name ?? login },
        { cost: TEST_PASSWORD_COST },
      );
    },
    async connectWs(login, device = uniqueDevice(login), extra = {}) {
      const { token } = await signIn(server.url, login, TEST_PASSWORD, device);
      return track(
        await WsClient.connect(server.url, {
          token,
          device_id: device,
          focused: extra.focused,
          autoPong: extra.autoPong,
        }),
      );
    },
    async connectHttp(login, device = uniqueDevice(login)) {
      const { token } = await signIn(server.url, login, TEST_PASSWORD, device);
      return track(new HttpClient(server.url, token, device));
    },
    async restart(how = 'close', overrides = {}) {
      await (how === 'kill' ? server.kill() : server.close());
      server = await startServer({ ...base, ...overrides });
    },
    async stop() {
      for (const thing of tracked) await ('stop' in thing ? thing.stop() : thing.close()).catch(() => undefined);
      tracked.clear();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Follow a client's inbox from the beginning (or a cursor); stopped by TestServer.stop via track. */
export async function follow(
  t: TestServer,
  client: WsClient | HttpClient,
  cursor: InboxReader['cursor'] = null,
): Promise<InboxReader> {
  const reader = t.track(new InboxReader(client, cursor));
  await reader.start();
  return reader;
}
