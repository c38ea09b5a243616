import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

/**
 * A PostgreSQL cluster of our own (initdb in a temp dir, a spare port; fsync off, which an immediate stop survives because the OS keeps running — synchronous_commit stays on, or acknowledged commits would be lost), so a test can
 * really restart the database — the machine's PostgreSQL is shared and never restarted. Takes about
 * two seconds. `available()` says why it cannot run (no server binaries, no postgres user for root).
 */
export class OwnPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
    private readonly asUser: string | null,
    private readonly fsync: boolean,
  ) {}

  static available(): { ok: true; bin: string; asUser: string | null } | { ok: false; reason: string } {
    const root = '/usr/lib/postgresql';
    const versions = existsSync(root) ? readdirSync(root).sort() : [];
    const bin = versions
      .map((v) => join(root, v, 'bin'))
      .reverse()
      .find((b) => existsSync(join(b, 'initdb')));
    if (!bin) return { ok: false, reason: 'no PostgreSQL server binaries (initdb) under /usr/lib/postgresql' };
    if (userInfo().uid !== 0) return { ok: true, bin, asUser: null };
    if (spawnSync('id', ['-u', 'postgres']).status !== 0)
      return { ok: false, reason: 'running as root and there is no postgres user to run initdb as' };
    return { ok: true, bin, asUser: 'postgres' };
  }

  /** `fsync: true` for benchmarks, so commits cost what they cost in production. */
  static async start(options: { fsync?: boolean } = {}): Promise<OwnPostgres> {
    const found = OwnPostgres.available();
    if (!found.ok) throw new Error(found.reason);
    const dir = mkdtempSync(join(tmpdir(), 'im-pg-'));
    if (found.asUser) {
      const ids = execFileSync('id', ['-u', found.asUser], { encoding: 'utf8' }).trim();
      const gid = execFileSync('id', ['-g', found.asUser], { encoding: 'utf8' }).trim();
      chownSync(dir, Number(ids), Number(gid));
    }
    const pg = new OwnPostgres(await freePort(), dir, found.bin, found.asUser, options.fsync ?? false);
    pg.run('initdb', ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    pg.launch();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Stop as a crash would (immediate: no checkpoint, sessions cut), stay down, start with recovery. */
  async restart(downMs: number): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, 'stop', '-m', 'immediate', '-w']);
    await new Promise((r) => setTimeout(r, downMs));
    this.launch();
  }

  stop(): Promise<void> {
    spawnSync(...this.command('pg_ctl', ['-D', this.data, 'stop', '-m', 'immediate', '-w']));
    rmSync(this.dir, { recursive: true, force: true });
    return Promise.resolve();
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private launch(): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=${this.fsync ? 'on' : 'off'} -c max_connections=200`;
    this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'log'), 'start', '-w']);
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const exe = join(this.bin, tool);
    return this.asUser ? ['runuser', ['-u', this.asUser, '--', exe, ...args]] : [exe, args];
  }

  private run(tool: string, args: string[]): void {
    const [cmd, argv] = this.command(tool, args);
    const out = spawnSync(cmd, argv, { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`${tool} failed: ${out.stderr || out.stdout}`);
  }
}
