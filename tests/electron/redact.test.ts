import { describe, expect, it } from 'vitest';
import { REDACTED, redactDiagnostics, redactText } from '../../src-main/shell/redact';

describe('diagnostics redaction', () => {
  it('redacts secrets by key, at any depth, keeping the rest', () => {
    const input = {
      versions: { app: '0.1.0', electron: '41.7.1' },
      session: { user: 'alice', token: 'abc.def.ghi', refresh_token: 'r-123', server_url: 'https://im.example.com' },
      proxy: { Authorization: 'Basic YWxpY2U6c2VjcmV0', password: 'hunter2', passwd: 'x', apiKey: 'k', enabled: true },
      list: [{ cookie: 'sid=1' }, { secret: null }],
      topic_counters: { 'session.changed': 3 },
    };
    expect(redactDiagnostics(input)).toEqual({
      versions: { app: '0.1.0', electron: '41.7.1' },
      session: { user: 'alice', token: REDACTED, refresh_token: REDACTED, server_url: 'https://im.example.com' },
      proxy: { Authorization: REDACTED, password: REDACTED, passwd: REDACTED, apiKey: REDACTED, enabled: true },
      list: [{ cookie: REDACTED }, { secret: null }],
      topic_counters: { 'session.changed': 3 },
    });
  });

  it('redacts secrets hidden in free text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz';
    const cases: [string, string][] = [
      [`hello failed: token ${jwt} expired`, `hello failed: token ${REDACTED} expired`],
      ['Authorization: Bearer abcdef123456', `Authorization: Bearer ${REDACTED}`],
      ['proxy http://alice:s3cr3t@proxy.corp:8080 refused', `proxy http://${REDACTED}@proxy.corp:8080 refused`],
      ['GET /v1/poll?cursor=5&access_token=xyz&x=1', `GET /v1/poll?cursor=5&access_token=${REDACTED}&x=1`],
      ['login with password=hunter2 failed', `login with password=${REDACTED} failed`],
      ['secret: "a b c" end', `secret: ${REDACTED} end`],
    ];
    for (const [text, want] of cases) expect(redactText(text)).toBe(want);
  });

  it('leaves ordinary text and URLs alone', () => {
    const text = 'Connected to https://im.example.com/v1/ws via ws after 3 attempts (RATE_LIMITED)';
    expect(redactText(text)).toBe(text);
  });

  it('survives cycles and does not touch the input', () => {
    const a: Record<string, unknown> = { name: 'a', password: 'p' };
    a.self = a;
    const out = redactDiagnostics(a) as Record<string, unknown>;
    expect(out.password).toBe(REDACTED);
    expect(out.self).toBe('[…]');
    expect(a.password).toBe('p');
  });
});
