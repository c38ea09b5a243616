import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './ports';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'src-server', 'cli.ts');

export interface NodeSpec {
  nodeId: string;
  port: number;
  dbUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Extra environment (IM_LOG_LEVEL etc.). */
  env?: Record<string, string>;
}

/**
 * One server node as its own process (`node --import tsx src-server/cli.ts --db … --redis …`), so a
 * test can kill -9 it. The port is fixed, so a restarted node takes its old place behind nginx.
 */
export class NodeProcess {
  private child: ChildProcess | null = null;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'im-node-'));
  /** The last lines the node printed, for a failing test's message. */
  readonly output: string[] = [];

  constructor(readonly spec: NodeSpec) {}

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const { spec } = this;
    const args = [
      '--import',
      'tsx',
      CLI,
      '--port',
      String(spec.port),
      '--data-dir',
      this.dataDir,
      '--db',
      spec.dbUrl,
      '--redis',
      spec.redisUrl,
      '--redis-prefix',
      spec.redisPrefix,
      '--node-id',
      spec.nodeId,
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, IM_LOG_LEVEL: 'warn', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - 50));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`node ${spec.nodeId} exited: ${this.output.join('\n')}`);
        return (await this.health())?.ok === true;
      },
      20_000,
      `node ${spec.nodeId} healthy`,
      100,
    );
  }

  async health(): Promise<{
    ok: boolean;
    redis?: { ok: boolean } | null;
    connections?: { websocket: number; held_polls: number };
    [k: string]: unknown;
  } | null> {
    try {
      const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return (await res.json()) as { ok: boolean };
    } catch {
      return null;
    }
  }

  /** kill -9: no drain, sockets reset by the kernel. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM: the graceful drain. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  async dispose(): Promise<void> {
    await this.signal('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.child = null;
  }
}
