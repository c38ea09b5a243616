import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  url: string;
  /** Stop the server gracefully (SIGTERM) and wait for it to exit. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** The given port if it is free on loopback, else any free one. */
export async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(null));
      probe.listen(port, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : null));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? 0;
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the IM server exited with code ${child.exitCode} while starting`);
    try {
      const res = await fetch(`${url}/customer/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the IM server did not answer at ${url} within ${timeoutMs} ms`);
}

/**
 * The IM server in its own process, through its public CLI, with the embedded SQLite store and
 * the demo data. Its log lines at warning level and above are passed through.
 */
export async function startServerProcess(options: {
  root: string;
  dataDir: string;
  port: number;
  demo: boolean;
  onLog: (line: string) => void;
}): Promise<ServerProcess> {
  const args = [
    '--import',
    'tsx',
    join(options.root, 'src-server', 'cli.ts'),
    '--port',
    String(options.port),
    '--data-dir',
    options.dataDir,
    ...(options.demo ? ['--demo'] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: options.root, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      let level = 50;
      try {
        level = (JSON.parse(line) as { level?: number }).level ?? 50;
      } catch {
        // not JSON: show it
      }
      if (level >= 40) options.onLog(`[server] ${line}`);
    });
  }
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(url, child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
