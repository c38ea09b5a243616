import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  CLOSE_CODES,
  ERROR_CODE_LIST,
  LIMITS,
  REQUESTS,
  RandomId,
  makeRandomId,
  parseClientFrame,
  parseRequestBody,
} from '../../src-shared/protocol';

describe('parseClientFrame', () => {
  it('accepts one envelope and a batch', () => {
    const one = parseClientFrame(JSON.stringify({ v: 1, id: 'a', type: 'ping', body: { t: 1 } }));
    expect(one).toEqual({ ok: true, envelopes: [{ v: 1, id: 'a', type: 'ping', body: { t: 1 } }] });
    const batch = parseClientFrame(
      JSON.stringify([
        { v: 1, type: 'typing', body: { line_id: 'l1' } },
        { v: 1, id: 'b', type: 'ping', body: { t: 2 } },
      ]),
    );
    expect(batch.ok && batch.envelopes.map((e) => e.type)).toEqual(['typing', 'ping']);
  });

  it.each([
    ['not json', '{', 'BAD_PACKET'],
    ['empty batch', '[]', 'BAD_PACKET'],
    ['missing type', '{"v":1}', 'BAD_PACKET'],
    ['wrong version', '{"v":9,"type":"ping"}', 'PROTOCOL_VERSION'],
    [
      'oversized',
      JSON.stringify({ v: 1, type: 'ping', body: { pad: 'x'.repeat(LIMITS.maxPacketBytes) } }),
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'batch too long',
      JSON.stringify(Array.from({ length: LIMITS.maxBatch + 1 }, () => ({ v: 1, type: 'ping' }))),
      'BAD_PACKET',
    ],
  ])('rejects %s with %s', (_name, text, code) => {
    const r = parseClientFrame(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message).not.toMatch(/undefined/);
    }
  });
});

describe('parseRequestBody', () => {
  it('names the failing field', () => {
    const r = parseRequestBody('send', {
      random_id: makeRandomId(1, () => 0.5),
      line_id: 'l',
      content: { type: 'text', text: '' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('content.text');
  });
  it('requires exactly one of line_id or to', () => {
    const rid = makeRandomId(Date.now(), Math.random);
    const both = parseRequestBody('send', {
      random_id: rid,
      line_id: 'l',
      to: { object_id: 'o', busi_type: 'consult' },
      content: { type: 'text', text: 'hi' },
    });
    const neither = parseRequestBody('send', { random_id: rid, content: { type: 'text', text: 'hi' } });
    expect(both.ok).toBe(false);
    expect(neither.ok).toBe(false);
  });
});

describe('random_id', () => {
  it('is deterministic for an injected clock and randomness, and valid', () => {
    const seq = [0.1, 0.2, 0.3];
    let i = 0;
    const id = makeRandomId(1_700_000_000_000, () => seq[i++ % 3]!);
    expect(id).toBe(
      makeRandomId(
        1_700_000_000_000,
        (() => {
          let j = 0;
          return () => seq[j++ % 3]!;
        })(),
      ),
    );
    expect(RandomId.safeParse(id).success).toBe(true);
  });
  it('differs between two real draws', () => {
    expect(makeRandomId(5, Math.random)).not.toBe(makeRandomId(5, Math.random));
  });
});

describe('docs/protocol.md', () => {
  const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  it('lists every error code', () => {
    for (const code of ERROR_CODE_LIST) expect(doc, code).toContain(`\`${code}\``);
  });
  it('lists every close code', () => {
    for (const { code } of Object.values(CLOSE_CODES)) expect(doc, String(code)).toContain(`${code}`);
  });
  it('documents every request type', () => {
    for (const type of Object.keys(REQUESTS)) expect(doc, type).toContain(`\`${type}\``);
  });
});
