import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BRIDGE_PROTOCOL, IpcError, type IpcErrorShape, type IpcMethod, type IpcTopic } from '../../src-shared/ipc';
import { createBridgeApi } from '../../src-renderer/api/bridgeClient';
import type { BridgeTarget } from '../../src-main/web/bridge-session';
import { startWebHost, type WebHost } from '../../src-main/web/host';
import { SETTINGS, SIGNED_IN } from './support/fixtures';

const SECRET = 'test-secret-0123456789abcdef';

/** A core stand-in: answers two methods, records every call, and lets the test publish topics. */
class RecordingTarget implements BridgeTarget {
  readonly calls: { method: IpcMethod; args: unknown }[] = [];
  readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  call(method: IpcMethod, args: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: IpcErrorShape }> {
    this.calls.push({ method, args });
    if (method === 'session.get') return Promise.resolve({ ok: true, result: SIGNED_IN });
    return Promise.resolve({
      ok: false,
      error: { code: 'NOT_READY', message: `${method} not here`, temporary: false, retry_after_ms: null },
    });
  }
  subscribe(topic: IpcTopic, listener: (payload: never) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    const fn = listener as (p: unknown) => void;
    set.add(fn);
    return () => set.delete(fn);
  }
  publish(topic: IpcTopic, payload: unknown): void {
    for (const l of this.listeners.get(topic) ?? []) l(payload);
  }
  subscriberCount(): number {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
}

let dir: string;
let host: WebHost;
let target: RecordingTarget;
const open: WebSocket[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'renderer-build-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Merchant IM</title>');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  target = new RecordingTarget();
  host = await startWebHost({ target, rendererDir: dir, secret: SECRET });
});
afterEach(async () => {
  for (const ws of open.splice(0)) ws.terminate();
  await host.close();
});

function connect(
  options: { secret?: string | null; origin?: string | null; hostHeader?: string; path?: string } = {},
): Promise<WebSocket> {
  const protocols = [BRIDGE_PROTOCOL, ...(options.secret === null ? [] : [`k.${options.secret ?? SECRET}`])];
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${options.path ?? '/bridge'}`, protocols, {
    ...(options.origin === null ? {} : { origin: options.origin ?? host.origin }),
    ...(options.hostHeader ? { headers: { host: options.hostHeader } } : {}),
  });
  open.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextFrame(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) =>
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')) as Record<string, unknown>)),
  );
}

describe('browser-mode host', () => {
  it('serves the renderer on loopback with a strict CSP, and only under its own host name', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#k=${SECRET}`);
    const res = await fetch(`${host.origin}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Merchant IM');
    const csp = res.headers.get('content-security-policy');
    expect(csp).toContain("script-src 'self'");
    // Images are blob: URLs made by the core: no http(s) origin may load into the page.
    expect(csp).toMatch(/(^|; )img-src 'self' data: blob:(;|$)/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    // fetch() will not forge a Host header; a plain request can, as a rebinding page effectively does.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
  });

  it.each([
    ['no secret', { secret: null }, 'HTTP 401'],
    ['a wrong secret', { secret: 'x'.repeat(SECRET.length) }, 'HTTP 401'],
    ['another origin', { origin: 'http://evil.example' }, 'HTTP 403'],
    ['no origin', { origin: null }, 'HTTP 403'],
    ['a rebound host name', { hostHeader: 'evil.example' }, 'HTTP 421'],
    ['another path', { path: '/other' }, 'HTTP 404'],
  ] as const)('refuses a bridge connection with %s', async (_name, options, status) => {
    await expect(connect(options)).rejects.toThrow(status);
    expect(host.connections()).toBe(0);
  });

  it('validates every frame and every call before the core sees it', async () => {
    const ws = await connect();
    ws.send('not json');
    expect(await nextFrame(ws)).toMatchObject({ kind: 'error', id: null, error: { code: 'BAD_PACKET' } });
    ws.send(JSON.stringify({ kind: 'invoke', id: 1, method: 'no.such', args: {} }));
    expect(await nextFrame(ws)).toMatchObject({ kind: 'error', id: 1, error: { code: 'UNKNOWN_TYPE' } });
    ws.send(JSON.stringify({ kind: 'invoke', id: 2, method: 'line.transfer', args: { line_id: 'L1' } }));
    expect(await nextFrame(ws)).toMatchObject({ kind: 'error', id: 2, error: { code: 'INVALID_ARGUMENT' } });
    ws.send(JSON.stringify({ kind: 'invoke', id: -3, method: 'session.get' }));
    expect(await nextFrame(ws)).toMatchObject({ kind: 'error', error: { code: 'BAD_PACKET' } });
    expect(target.calls).toEqual([]);
    ws.send(JSON.stringify({ kind: 'invoke', id: 4, method: 'session.get', args: {} }));
    expect(await nextFrame(ws)).toEqual({ kind: 'result', id: 4, result: SIGNED_IN });
  });

  it('carries the contract for the renderer: results, errors with their codes, topics, and cleans up on close', async () => {
    const origin = host.origin;
    class PageSocket extends WebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols, { origin });
      }
    }
    const api = createBridgeApi({
      url: `ws://127.0.0.1:${host.port}/bridge`,
      secret: SECRET,
      WebSocketImpl: PageSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      expect(await api.invoke('session.get', {})).toEqual(SIGNED_IN);
      const failure = await api.invoke('lines.list', {}).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(IpcError);
      expect((failure as IpcError).code).toBe('NOT_READY');
      const seen: unknown[] = [];
      const off = api.subscribe('settings.changed', (s) => seen.push(s));
      await api.invoke('session.get', {}); // the subscribe frame went first on the same socket
      target.publish('settings.changed', SETTINGS);
      await expect.poll(() => seen).toEqual([SETTINGS]);
      off();
      await api.invoke('session.get', {});
      expect(target.subscriberCount()).toBe(0);
      api.subscribe('channel.state', () => undefined);
      await api.invoke('session.get', {});
      expect(target.subscriberCount()).toBe(1);
    } finally {
      api.close();
    }
    await expect.poll(() => target.subscriberCount()).toBe(0);
    await expect.poll(() => host.connections()).toBe(0);
  });
});
