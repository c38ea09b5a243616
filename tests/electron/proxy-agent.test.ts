import { EventEmitter } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SystemProxy } from '../../src-main/electron/system-proxy';
import { ProxyCredentialStore } from '../../src-main/shell/proxy';
import { ProxyAgents } from '../../src-main/shell/proxy-agent';
import { RecordingLogger } from './fakes';

/**
 * The data channel's transports through an authenticating HTTP proxy, for real: a loopback
 * CONNECT proxy that demands Basic credentials, a WebSocket + HTTP target behind it, and the
 * shell's route resolution (Chromium's resolveProxy answer stubbed) feeding the agent.
 */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
function closeServer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

async function startTarget(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.end('poll-ok'));
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(`echo:${data.toString()}`)));
  const port = await listen(server);
  closers.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await closeServer(server, sockets)();
  });
  return port;
}

async function startProxy(user: string, password: string): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  server.on('connect', (req, client: Socket, head) => {
    const authorised = req.headers['proxy-authorization'] === expected;
    seen.push(`${req.url} ${authorised ? 'authorised' : 'refused'}`);
    if (!authorised) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="shop"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const [host, port] = req.url!.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  closers.push(closeServer(server, sockets));
  return { port, seen };
}

function agentsVia(proxyPort: number, credentials: ProxyCredentialStore, asked: string[]): ProxyAgents {
  const session = {
    resolveProxy: (url: string) => {
      asked.push(url);
      return Promise.resolve(`PROXY 127.0.0.1:${proxyPort}; DIRECT`);
    },
  };
  const proxy = new SystemProxy(session, credentials, new RecordingLogger());
  const agents = new ProxyAgents((url) => proxy.route(url));
  closers.push(() => Promise.resolve(agents.dispose()));
  return agents;
}

function wsRoundTrip(url: string, agent: import('node:http').Agent | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { agent });
    ws.on('open', () => ws.send('hello'));
    ws.on('message', (data: Buffer) => {
      resolve(data.toString());
      ws.close();
    });
    ws.on('error', reject);
  });
}

describe('system proxy for the data channel', () => {
  it('carries WebSocket and HTTP long-poll traffic through an authenticating proxy', async () => {
    const target = await startTarget();
    const proxy = await startProxy('shop\\alice', 'p@ss:word');
    const credentials = new ProxyCredentialStore();
    credentials.set('127.0.0.1', proxy.port, { username: 'shop\\alice', password: 'p@ss:word' });
    const asked: string[] = [];
    const agents = agentsVia(proxy.port, credentials, asked);

    const wsUrl = `ws://127.0.0.1:${target}/v1/ws`;
    expect(await wsRoundTrip(wsUrl, await agents.agentFor(wsUrl))).toBe('echo:hello');

    const pollUrl = `http://127.0.0.1:${target}/v1/poll`;
    const agent = await agents.agentFor(pollUrl);
    const body = await new Promise<string>((resolve, reject) => {
      get(pollUrl, { agent }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('poll-ok');
    expect(asked).toEqual([`http://127.0.0.1:${target}/v1/ws`, pollUrl]);
    expect(proxy.seen).toEqual([`127.0.0.1:${target} authorised`, `127.0.0.1:${target} authorised`]);
  });

  it('fails visibly, not silently, without the proxy credentials', async () => {
    const target = await startTarget();
    const proxy = await startProxy('u', 'p');
    const agents = agentsVia(proxy.port, new ProxyCredentialStore(), []);
    const url = `ws://127.0.0.1:${target}/`;
    await expect(wsRoundTrip(url, await agents.agentFor(url))).rejects.toThrow(/407/);
    expect(proxy.seen).toEqual([`127.0.0.1:${target} refused`]);
  });

  it('connects directly when the system says DIRECT or resolution fails', async () => {
    const log = new RecordingLogger();
    const direct = new SystemProxy({ resolveProxy: () => Promise.resolve('DIRECT') }, new ProxyCredentialStore(), log);
    expect(await new ProxyAgents((u) => direct.route(u)).agentFor('wss://im.example.com/v1/ws')).toBeUndefined();
    const broken = new SystemProxy(
      { resolveProxy: () => Promise.reject(new Error('PAC script failed')) },
      new ProxyCredentialStore(),
      log,
    );
    expect(await broken.route('https://im.example.com')).toEqual({ kind: 'direct' });
    expect(log.entries.map((e) => e.msg)).toEqual(['proxy resolution failed; connecting directly']);
  });

  it('answers Chromium proxy challenges (the updater) with the same credentials, and only proxy ones', () => {
    const credentials = new ProxyCredentialStore();
    credentials.set('proxy.corp', 8080, { username: 'svc', password: 'pw' });
    const app = new EventEmitter();
    new SystemProxy(
      { resolveProxy: () => Promise.resolve('DIRECT') },
      credentials,
      new RecordingLogger(),
    ).installLoginHandler(app as never);
    const challenge = (authInfo: object) => {
      const answer: { prevented: boolean; args: unknown[] | null } = { prevented: false, args: null };
      app.emit(
        'login',
        { preventDefault: () => (answer.prevented = true) },
        null,
        {},
        authInfo,
        (...args: unknown[]) => (answer.args = args),
      );
      return answer;
    };
    expect(challenge({ isProxy: true, host: 'proxy.corp', port: 8080, scheme: 'basic', realm: 'r' })).toEqual({
      prevented: true,
      args: ['svc', 'pw'],
    });
    expect(challenge({ isProxy: true, host: 'other', port: 3128, scheme: 'basic', realm: 'r' })).toEqual({
      prevented: false,
      args: null,
    });
    expect(challenge({ isProxy: false, host: 'proxy.corp', port: 8080, scheme: 'basic', realm: 'r' })).toEqual({
      prevented: false,
      args: null,
    });
  });
});
