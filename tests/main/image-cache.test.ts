import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageCache, planEviction, type CacheEntry } from '../../src-main/core/image-cache';
import type { Logger } from '../../src-main/ports/logger';
import { tempDir, waitFor } from './helpers';

const KB = 1_000;
const T0 = 1_700_000_000_000;

function entry(name: string, size: number, lastUsed: number): CacheEntry {
  return { name, size, lastUsed };
}

describe('planEviction (pure)', () => {
  const budget = { maxBytes: 100, lowWaterBytes: 90 };

  it('deletes nothing while the total is within the budget, including exactly at it', () => {
    expect(planEviction([], budget)).toEqual([]);
    expect(planEviction([entry('a', 60, 1), entry('b', 40, 2)], budget)).toEqual([]);
  });

  it('over the budget: least recently used first, down to the low-water mark and no further', () => {
    const entries = [entry('new', 30, 50), entry('old', 30, 10), entry('mid', 30, 30), entry('older', 20, 20)];
    // 110 bytes: dropping `old` leaves 80 ≤ 90.
    expect(planEviction(entries, budget)).toEqual(['old']);
    // 130 bytes: old (→100), older (→80).
    expect(planEviction([...entries, entry('newest', 20, 60)], budget)).toEqual(['old', 'older']);
  });

  it('breaks ties in last use by name, so the answer does not depend on directory order', () => {
    const entries = [entry('c', 40, 5), entry('a', 40, 5), entry('b', 40, 5)];
    expect(planEviction(entries, budget)).toEqual(['a']);
    expect(planEviction([...entries].reverse(), budget)).toEqual(['a']);
  });

  it('never picks a name in use, which still counts towards the total', () => {
    const entries = [entry('writing', 60, 1), entry('x', 30, 2), entry('y', 30, 3)];
    expect(planEviction(entries, budget, new Set(['writing']))).toEqual(['x']);
    // Only names in use are left to pick: stop over budget rather than delete one of them.
    expect(planEviction([entry('w1', 80, 1), entry('w2', 80, 2)], budget, new Set(['w1', 'w2']))).toEqual([]);
  });

  it('a budget of 0 empties the cache; a low-water mark above the budget counts as the budget', () => {
    expect(planEviction([entry('a', 1, 2), entry('b', 1, 1)], { maxBytes: 0, lowWaterBytes: 0 })).toEqual(['b', 'a']);
    expect(planEviction([entry('a', 60, 1), entry('b', 60, 2)], { maxBytes: 100, lowWaterBytes: 500 })).toEqual(['a']);
  });

  it('one entry larger than the whole budget goes too', () => {
    expect(planEviction([entry('huge', 1_000, 9)], budget)).toEqual(['huge']);
  });
});

describe('ImageCache on real files', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  function setup(options: { maxBytes: number; staleTempMs?: number }) {
    const { dir, cleanup } = tempDir('im-image-cache-');
    const clock = { t: T0 };
    const warnings: { obj: object; msg: string | undefined }[] = [];
    const log: Logger = { info: () => {}, warn: (obj, msg) => warnings.push({ obj, msg }), error: () => {} };
    const cacheDir = join(dir, 'media-cache');
    const make = (maxBytes = options.maxBytes): ImageCache => {
      const cache = new ImageCache({
        dir: cacheDir,
        maxBytes,
        now: () => clock.t,
        log,
        staleTempMs: options.staleTempMs,
      });
      cleanups.push(() => cache.dispose());
      return cache;
    };
    cleanups.push(cleanup);
    return { dir: cacheDir, parent: dir, clock, warnings, log, make, cache: make() };
  }

  /** Distinct bytes for a name, so a torn or mixed-up file would show. */
  function bytesOf(name: string, size: number): Buffer {
    const seed = createHash('sha256').update(name).digest();
    return Buffer.alloc(size, seed);
  }

  function onDisk(dir: string): { names: string[]; bytes: number } {
    const names = existsSync(dir) ? readdirSync(dir).sort() : [];
    return { names, bytes: names.reduce((sum, n) => sum + statSync(join(dir, n)).size, 0) };
  }

  it('keeps and reads back the bytes, write-then-rename leaves no temporary file, a miss is null', async () => {
    const { cache, dir } = setup({ maxBytes: 100 * KB });
    expect(await cache.read('a.png')).toBeNull();
    await cache.keep('a.png', bytesOf('a.png', KB));
    expect((await cache.read('a.png'))?.equals(bytesOf('a.png', KB))).toBe(true);
    await cache.idle();
    expect(onDisk(dir).names).toEqual(['a.png']);
    expect(cache.totalBytes()).toBe(KB);
  });

  it('stays within the budget after many writes and keeps the most recent', async () => {
    const { cache, dir, clock } = setup({ maxBytes: 10 * KB });
    for (let i = 0; i < 60; i++) {
      clock.t += 1_000;
      await cache.keep(`img${String(i).padStart(2, '0')}.png`, bytesOf(`img${i}`, KB));
    }
    await cache.idle();
    const { names, bytes } = onDisk(dir);
    expect(bytes).toBeLessThanOrEqual(10 * KB);
    expect(bytes).toBeGreaterThanOrEqual(9 * KB); // trimmed to the low-water mark, not emptied
    // The survivors are exactly the newest ones.
    expect(names).toEqual(names.map((_, k) => `img${String(60 - names.length + k).padStart(2, '0')}.png`));
    expect(names).toContain('img59.png');
    expect(cache.totalBytes()).toBe(bytes);
  });

  it('a read marks the file as used, so a recently read old image survives the next trim', async () => {
    const { cache, dir, clock } = setup({ maxBytes: 10 * KB });
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) {
      clock.t += 1_000;
      await cache.keep(`${n}.png`, bytesOf(n, KB));
    }
    await cache.idle();
    expect(onDisk(dir).bytes).toBe(10 * KB); // exactly at the budget: nothing trimmed

    clock.t += 1_000;
    const readAt = clock.t;
    expect(await cache.read('a.png')).not.toBeNull();
    // The mark is not awaited by the read; wait for it to land.
    await waitFor(() => Math.abs(statSync(join(dir, 'a.png')).mtimeMs - readAt) < 1, 2_000, 'a.png touched');

    clock.t += 1_000;
    await cache.keep('k.png', bytesOf('k', KB)); // 11 KB > 10 KB: trim to ≤ 9 KB
    await cache.idle();
    const { names } = onDisk(dir);
    expect(names).toContain('a.png');
    expect(names).toContain('k.png');
    expect(names).not.toContain('b.png');
    expect(names).not.toContain('c.png');
    expect(names).toHaveLength(9);
  });

  it('trims a folder already over budget on first use (older version, lowered budget)', async () => {
    const { dir, make } = setup({ maxBytes: 1_000 * KB });
    const first = make();
    for (let i = 0; i < 20; i++) await first.keep(`f${i}.png`, bytesOf(`f${i}`, KB));
    for (let i = 0; i < 20; i++)
      utimesSync(join(dir, `f${i}.png`), (T0 - 100_000 + i * 1_000) / 1000, (T0 - 100_000 + i * 1_000) / 1000);
    first.dispose();

    const lowered = make(5 * KB);
    expect(lowered.totalBytes()).toBeNull();
    expect(await lowered.read('f19.png')).not.toBeNull(); // first use starts the scan
    await lowered.idle();
    const { names, bytes } = onDisk(dir);
    expect(bytes).toBeLessThanOrEqual(5 * KB);
    expect(names).toContain('f19.png');
    expect(names).not.toContain('f0.png');
    expect(lowered.totalBytes()).toBe(bytes);
  });

  it('deletes temporary files left by a dead write once they are old, and leaves young ones alone', async () => {
    const { cache, dir, clock } = setup({ maxBytes: 100 * KB, staleTempMs: 10 * 60_000 });
    await cache.keep('a.png', bytesOf('a', KB));
    await cache.idle();
    const stale = join(dir, 'b.png.0b7e2f9a-stale.tmp');
    const young = join(dir, 'c.png.4f1d0c3e-young.tmp');
    writeFileSync(stale, bytesOf('b', 5 * KB));
    writeFileSync(young, bytesOf('c', 5 * KB));
    utimesSync(stale, (clock.t - 11 * 60_000) / 1000, (clock.t - 11 * 60_000) / 1000);
    utimesSync(young, (clock.t - 60_000) / 1000, (clock.t - 60_000) / 1000);

    await cache.trim();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(young)).toBe(true); // may be a write in flight
    expect(cache.totalBytes()).toBe(KB); // temporary files are not cache entries
  });

  it('concurrent reads, writes and trims of the same names never throw and never tear a file', async () => {
    const { cache, dir, clock } = setup({ maxBytes: 3 * KB });
    const names = ['x.png', 'y.png', 'z.png', 'w.png'];
    const work: Promise<unknown>[] = [];
    for (let round = 0; round < 25; round++) {
      for (const name of names) {
        clock.t += 10;
        work.push(cache.keep(name, bytesOf(name, KB)));
        work.push(
          cache.read(name).then((b) => {
            if (b && !b.equals(bytesOf(name, KB))) throw new Error(`${name} read back torn`);
          }),
        );
      }
      work.push(cache.trim());
    }
    const outcomes = await Promise.allSettled(work);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    await cache.trim();
    const disk = onDisk(dir);
    expect(disk.bytes).toBeLessThanOrEqual(3 * KB);
    expect(disk.names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    for (const n of disk.names) expect(readFileSync(join(dir, n)).equals(bytesOf(n, KB))).toBe(true);
  });

  it('a rewrite in flight of the least recently used name survives a trim that runs meanwhile', async () => {
    // The exact guarantee (a name being written is never chosen) is the policy's `inUse` case above;
    // this runs it on real files, where the old copy is on disk while a second fetch rewrites it.
    const unit = 500 * KB;
    const { cache, dir, clock } = setup({ maxBytes: 10 * unit });
    for (const n of ['x', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) {
      clock.t += 1_000;
      await cache.keep(`${n}.png`, bytesOf(n, unit));
    }
    await cache.idle();
    clock.t += 1_000;
    const extra = join(dir, 'extra.png'); // takes the folder over budget
    writeFileSync(extra, bytesOf('extra', unit));
    utimesSync(extra, clock.t / 1000, clock.t / 1000);
    clock.t += 1_000;
    // keep() registers the write synchronously, before its first await, so the trim sees it.
    const rewriting = cache.keep('x.png', bytesOf('x', unit));
    await cache.trim();
    await rewriting;
    await cache.idle();
    const { names, bytes } = onDisk(dir);
    expect(names).toContain('x.png');
    expect(readFileSync(join(dir, 'x.png')).equals(bytesOf('x', unit))).toBe(true);
    expect(names).not.toContain('b.png');
    expect(bytes).toBeLessThanOrEqual(10 * unit);
  });

  it('a file deleted behind its back costs nothing: read misses, trim carries on', async () => {
    const { cache, dir, clock } = setup({ maxBytes: 2 * KB });
    await cache.keep('a.png', bytesOf('a', KB));
    clock.t += 1_000;
    await cache.keep('b.png', bytesOf('b', KB));
    await cache.idle();
    writeFileSync(join(dir, 'ghost.png'), ''); // appears and vanishes between scans
    await Promise.all([cache.trim(), rm(join(dir, 'ghost.png'), { force: true })]);
    await Promise.all([rm(join(dir, 'a.png'), { force: true }), cache.trim()]);
    expect(await cache.read('a.png')).toBeNull();
    expect(await cache.read('b.png')).not.toBeNull();
  });

  it('a disk that refuses writes loses the offline copy only: keep resolves, one log line per cause', async () => {
    const { parent, warnings, log, clock } = setup({ maxBytes: 100 * KB });
    // The folder's path is a regular file: mkdir fails, as on a read-only or broken disk.
    const blocked = join(parent, 'blocked');
    writeFileSync(blocked, 'not a folder');
    const cache = new ImageCache({ dir: blocked, maxBytes: 100 * KB, now: () => clock.t, log });
    cleanups.push(() => cache.dispose());
    await expect(cache.keep('a.png', bytesOf('a', KB))).resolves.toBeUndefined();
    await expect(cache.keep('b.png', bytesOf('b', KB))).resolves.toBeUndefined();
    expect(await cache.read('a.png')).toBeNull();
    await cache.idle();
    const keeps = warnings.filter((w) => (w.obj as { op?: string }).op === 'keep');
    expect(keeps).toHaveLength(1);
    expect(keeps[0]!.msg).toMatch(/could not be kept/);
  });

  it('a budget of 0 keeps nothing; a bad budget or entry name is a precise error', async () => {
    const { make, dir } = setup({ maxBytes: 100 * KB });
    const none = make(0);
    await none.keep('a.png', bytesOf('a', KB));
    expect(onDisk(dir).names).toEqual([]);
    expect(() => make(-1)).toThrow(/budget must be a whole number of bytes/);
    expect(() => make(Number.NaN)).toThrow(/budget must be a whole number of bytes/);
    const cache = make();
    for (const bad of ['../x.png', 'a/b.png', '.hidden', 'x.png.1234.tmp', ''])
      await expect(cache.read(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('after dispose nothing more is written or trimmed', async () => {
    const { cache, dir } = setup({ maxBytes: 100 * KB });
    cache.dispose();
    await cache.keep('a.png', bytesOf('a', KB));
    await cache.trim();
    expect(onDisk(dir).names).toEqual([]);
  });
});
