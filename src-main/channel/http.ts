import http from 'node:http';
import https from 'node:https';
import type { Agent } from 'node:http';
import type { IpcErrorShape } from '../../src-shared/ipc';
import { errorShape } from '../core/errors';

export interface HttpJsonRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as JSON; bytes go as they are, under the caller's own content-type header. */
  body?: string | Uint8Array;
  /** The whole exchange must finish within this, or it fails with TIMEOUT. */
  timeoutMs: number;
  agent?: Agent | undefined;
}

export type HttpJsonResult = { ok: true; status: number; json: unknown } | { ok: false; error: IpcErrorShape };

/**
 * One request with a JSON answer over node:http(s) — not fetch, so a host-supplied Agent (system proxy) applies
 * exactly as for the WebSocket. Never rejects: network failures come back as error data.
 * Returns an abort function alongside the result promise.
 */
export function httpJson(req: HttpJsonRequest): { result: Promise<HttpJsonResult>; abort: () => void } {
  const url = new URL(req.url);
  const lib = url.protocol === 'https:' ? https : http;
  let abort: () => void = () => {};
  const result = new Promise<HttpJsonResult>((resolve) => {
    let settled = false;
    const settle = (r: HttpJsonResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const request = lib.request(
      url,
      {
        method: req.method,
        agent: req.agent,
        headers: {
          accept: 'application/json',
          ...(typeof req.body === 'string' ? { 'content-type': 'application/json' } : {}),
          // A known length lets the server refuse an oversized body before it is sent in full.
          ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
          ...req.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => settle({ ok: false, error: errorShape('NETWORK', err.message) }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            settle({ ok: true, status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null });
          } catch {
            settle({ ok: false, error: errorShape('NETWORK', `HTTP ${res.statusCode ?? 0}: the answer is not JSON`) });
          }
        });
      },
    );
    const timer = setTimeout(() => {
      settle({
        ok: false,
        error: errorShape('TIMEOUT', `${req.method} ${url.pathname} took longer than ${req.timeoutMs} ms`),
      });
      request.destroy();
    }, req.timeoutMs);
    request.on('error', (err) => settle({ ok: false, error: errorShape('NETWORK', err.message) }));
    abort = () => {
      settle({ ok: false, error: errorShape('NETWORK', 'aborted') });
      request.destroy();
    };
    if (req.body !== undefined) request.write(req.body);
    request.end();
  });
  return { result, abort };
}
