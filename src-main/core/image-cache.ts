import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../ports/logger';
import { ClientError } from './errors';

/** One kept image as the eviction policy sees it. */
export interface CacheEntry {
  name: string;
  size: number;
  /** Epoch ms of the last read or write (the file's mtime). */
  lastUsed: number;
}

export interface EvictionBudget {
  /** Above this many bytes the cache is trimmed. */
  maxBytes: number;
  /** … down to this many, so that one trim buys room for many images instead of one. */
  lowWaterBytes: number;
}

/**
 * Which entries to delete, least recently used first (ties by name, so the answer is exact): none
 * while the total is within `maxBytes`, else as many as bring it to `lowWaterBytes` or below.
 * Names in `inUse` are never chosen; they still count towards the total.
 */
export function planEviction(
  entries: readonly CacheEntry[],
  budget: EvictionBudget,
  inUse: ReadonlySet<string> = new Set(),
): string[] {
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total <= budget.maxBytes) return [];
  const target = Math.min(budget.lowWaterBytes, budget.maxBytes);
  const oldestFirst = entries
    .filter((e) => !inUse.has(e.name))
    .sort((a, b) => a.lastUsed - b.lastUsed || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const evict: string[] = [];
  for (const e of oldestFirst) {
    if (total <= target) break;
    evict.push(e.name);
    total -= e.size;
  }
  return evict;
}

/** What `fetchImage` needs of the cache. */
export interface ImageCacheStore {
  /** The kept bytes, or null when there are none (or they cannot be read: the caller fetches again). */
  read(name: string): Promise<Buffer | null>;
  /** Keep the bytes for offline use. Never rejects: a failure costs the offline copy only. */
  keep(name: string, bytes: Buffer): Promise<void>;
}

export interface ImageCacheOptions {
  /** The folder, one file per content-addressed media name; created on the first write. */
  dir: string;
  /** Byte budget; 0 keeps nothing. */
  maxBytes: number;
  /** Trim down to this share of the budget. */
  lowWaterRatio?: number;
  /** A `*.tmp` file older than this is the leftover of a write that died (crash, power cut). */
  staleTempMs?: number;
  now?: () => number;
  log?: Logger;
}

export const DEFAULT_LOW_WATER_RATIO = 0.9;
export const DEFAULT_STALE_TEMP_MS = 10 * 60_000;
/** Stats in flight at once while scanning: libuv has 4 threads, and a fetch's read must not queue behind thousands. */
const SCAN_PARALLEL = 8;
const TEMP_SUFFIX = '.tmp';

/**
 * The on-disk image cache (`<dataDir>/media-cache`) within a byte budget, least recently used out
 * first. Recency is the file's mtime: a read touches it (not awaited), a write sets it.
 *
 * The folder is scanned once on first use (which also trims a cache left over budget by an older
 * version or a lowered budget); from then on the total is tracked in memory and a trim — a fresh
 * scan, so the decision rests on what is really on disk — runs only when a write takes it over the
 * budget, bringing it down to the low-water mark. Trims never overlap. A file is written under a
 * temporary name and renamed, so a trim never sees (or deletes) one half-written; a name being
 * written is also spared. The worst a race can do is delete an image just read or kept, which is
 * fetched again the next time it is shown.
 */
export class ImageCache implements ImageCacheStore {
  private readonly dir: string;
  private readonly budget: EvictionBudget;
  private readonly staleTempMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  /** Bytes on disk at the end of the last scan; null before the first. */
  private scanned: number | null = null;
  /** Bytes kept since the last scan started (a file renamed just as it started may count twice: early, never late). */
  private added = 0;
  /** Trim when the total passes this: the budget, or more after a trim that could not get under it. */
  private trimAbove: number;
  /** Names being written right now, with how many writers each. */
  private readonly writing = new Map<string, number>();
  private trimming: Promise<void> | null = null;
  private trimAgain = false;
  private readonly warned = new Set<string>();
  private disposed = false;

  constructor(options: ImageCacheOptions) {
    const ratio = options.lowWaterRatio ?? DEFAULT_LOW_WATER_RATIO;
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 0)
      throw new RangeError(`image cache budget must be a whole number of bytes ≥ 0, got ${options.maxBytes}`);
    if (!(ratio > 0 && ratio <= 1)) throw new RangeError(`image cache low-water ratio must be in (0, 1], got ${ratio}`);
    this.dir = options.dir;
    this.budget = { maxBytes: options.maxBytes, lowWaterBytes: Math.floor(options.maxBytes * ratio) };
    this.trimAbove = options.maxBytes;
    this.staleTempMs = options.staleTempMs ?? DEFAULT_STALE_TEMP_MS;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLogger;
  }

  /** Bytes the cache believes it holds (null before the first scan has finished). */
  totalBytes(): number | null {
    return this.scanned === null ? null : this.scanned + this.added;
  }

  async read(name: string): Promise<Buffer | null> {
    const file = this.fileOf(name);
    this.start();
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') this.warnOnce('read', err, 'a cached image could not be read; fetching it again');
      return null;
    }
    if (!this.disposed) void this.touch(file);
    return bytes;
  }

  async keep(name: string, bytes: Buffer): Promise<void> {
    const file = this.fileOf(name);
    if (this.budget.maxBytes === 0 || this.disposed) return;
    this.start();
    const temp = `${file}.${randomUUID()}${TEMP_SUFFIX}`;
    this.writing.set(name, (this.writing.get(name) ?? 0) + 1);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(temp, bytes);
      const seconds = this.now() / 1000;
      await utimes(temp, seconds, seconds);
      await rename(temp, file);
      this.grew(bytes.length);
    } catch (err) {
      // A full or read-only disk costs the offline copy, not the image on screen.
      this.warnOnce('keep', err, 'an image could not be kept for offline use');
      await rm(temp, { force: true }).catch(() => {});
    } finally {
      const left = (this.writing.get(name) ?? 1) - 1;
      if (left > 0) this.writing.set(name, left);
      else this.writing.delete(name);
    }
  }

  /** Scan and trim now (after any trim in flight); resolves when done. Never rejects. */
  trim(): Promise<void> {
    this.requestTrim();
    return this.idle();
  }

  /** Resolves when no trim is running. */
  async idle(): Promise<void> {
    while (this.trimming) await this.trimming;
  }

  /** Stop starting work; a file operation in flight finishes on its own. */
  dispose(): void {
    this.disposed = true;
  }

  // ---- internals ------------------------------------------------------------------------------------

  /** The first read or write scans the folder (and trims it if it is over budget). */
  private start(): void {
    if (this.scanned === null && !this.trimming) this.requestTrim();
  }

  private fileOf(name: string): string {
    if (!/^[^/\\]+$/.test(name) || name.startsWith('.') || name.endsWith(TEMP_SUFFIX))
      throw new ClientError('INVALID_ARGUMENT', `not a cache entry name: ${JSON.stringify(name)}`);
    return join(this.dir, name);
  }

  private async touch(file: string): Promise<void> {
    const seconds = this.now() / 1000;
    try {
      await utimes(file, seconds, seconds);
    } catch (err) {
      // Gone meanwhile (trimmed): nothing to mark. Anything else only makes the image look older.
      if (codeOf(err) !== 'ENOENT') this.warnOnce('touch', err, 'a cached image could not be marked as used');
    }
  }

  private grew(bytes: number): void {
    this.added += bytes;
    const total = this.totalBytes();
    if (total !== null && total > this.trimAbove) this.requestTrim();
  }

  private requestTrim(): void {
    if (this.disposed) return;
    if (this.trimming) {
      this.trimAgain = true;
      return;
    }
    this.trimming = this.trimWhileAsked().finally(() => {
      this.trimming = null;
    });
  }

  private async trimWhileAsked(): Promise<void> {
    do {
      this.trimAgain = false;
      await this.trimOnce();
    } while (this.trimAgain && !this.disposed);
  }

  private async trimOnce(): Promise<void> {
    this.added = 0;
    let entries: CacheEntry[];
    try {
      entries = await this.scan();
    } catch (err) {
      if (codeOf(err) === 'ENOENT') {
        this.scanned = 0; // nothing kept yet
        return;
      }
      this.warnOnce('scan', err, 'the image cache folder could not be read; not trimming it');
      this.scanned ??= 0;
      this.backOff();
      return;
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    const sizes = new Map(entries.map((e) => [e.name, e.size]));
    for (const name of planEviction(entries, this.budget, new Set(this.writing.keys()))) {
      if (this.disposed) break;
      if (this.writing.has(name)) continue; // its write began after the plan
      try {
        await unlink(join(this.dir, name));
      } catch (err) {
        // ENOENT: deleted meanwhile, which is what we wanted.
        if (codeOf(err) !== 'ENOENT') {
          this.warnOnce('evict', err, 'a cached image could not be deleted');
          continue;
        }
      }
      total -= sizes.get(name) ?? 0;
    }
    this.scanned = total;
    if (total > this.budget.maxBytes) this.backOff();
    else this.trimAbove = this.budget.maxBytes;
  }

  /**
   * After a trim that could not get under budget (files that will not go), wait for as much growth
   * as a normal trim frees before scanning again, instead of scanning on every write.
   */
  private backOff(): void {
    this.trimAbove = (this.totalBytes() ?? 0) + (this.budget.maxBytes - this.budget.lowWaterBytes);
  }

  /** Every kept image with its size and last use; stale temporary files are deleted on the way. */
  private async scan(): Promise<CacheEntry[]> {
    const dirents = await readdir(this.dir, { withFileTypes: true });
    const now = this.now();
    const entries: CacheEntry[] = [];
    const look = async (d: Dirent): Promise<void> => {
      if (!d.isFile()) return;
      const file = join(this.dir, d.name);
      const info = await stat(file).catch((err: unknown) => {
        if (codeOf(err) === 'ENOENT') return null; // deleted or renamed meanwhile
        throw err;
      });
      if (!info) return;
      if (d.name.endsWith(TEMP_SUFFIX)) {
        // A younger one may be a write in flight, here or in another instance.
        if (now - info.mtimeMs > this.staleTempMs) await rm(file, { force: true }).catch(() => {});
        return;
      }
      entries.push({ name: d.name, size: info.size, lastUsed: info.mtimeMs });
    };
    for (let i = 0; i < dirents.length; i += SCAN_PARALLEL)
      await Promise.all(dirents.slice(i, i + SCAN_PARALLEL).map(look));
    return entries;
  }

  /** One log line per kind of failure and error code: a full disk would otherwise log once per image. */
  private warnOnce(op: string, err: unknown, msg: string): void {
    const code = codeOf(err) ?? 'UNKNOWN';
    const key = `${op}:${code}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn({ dir: this.dir, op, code, err: err instanceof Error ? err.message : String(err) }, msg);
  }
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
