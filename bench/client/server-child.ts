import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeRandomId, type Cursor } from '../../src-shared/protocol';
import { SqliteStore, createAccount } from '../../src-server';
import { seededRandom } from '../../src-main/ports/random';

export const STAFF_LOGIN = 'alice';
export const STAFF_PASSWORD = 'bench';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Fill a server database directly through its Store (no network): `lines` conversation lines
 * (customers × objects), `perLine` customer messages each, all waiting in the staff member's
 * inbox as they would after a day away. Returns the staff inbox head the client must reach.
 */
export async function seedServer(dataDir: string, lines: number, perLine: number): Promise<Cursor> {
  const store = new SqliteStore({ dataDir });
  await store.migrate();
  await store.putMerchant({ merchant_id: 'm1', name: 'Lakeside Hotel 湖畔酒店' }, 0);
  const objects = 50;
  for (let o = 0; o < objects; o++)
    await store.putObject({ object_id: `room-${o}`, kind: 'room', title: `Room ${o} 湖景房`, merchant_id: 'm1' });
  const staff = await createAccount(
    store,
    {
      account: STAFF_LOGIN,
      password: STAFF_PASSWORD,
      role: 'staff',
      display_name: 'Alice',
      merchant_id: 'm1',
      capacity: lines,
    },
    { cost: { N: 1 << 10, r: 8, p: 1 } },
  );
  const customers = Math.ceil(lines / objects);
  const random = seededRandom(2);
  let now = 1_700_000_000_000;
  for (let c = 0; c < customers; c++) {
    const { account } = await store.ensureAccount(
      { account: `cust${c}`, password_hash: 'x', role: 'customer', display_name: `客人 ${c}`, merchant_id: null },
      0,
    );
    for (let o = 0; o < objects && c * objects + o < lines; o++) {
      let lineId: string | null = null;
      for (let k = 0; k < perLine; k++) {
        now += 1;
        const out = await store.send({
          sender: account,
          device_id: 'seed',
          random_id: makeRandomId(now, random),
          target: lineId ? { line_id: lineId } : { to: { object_id: `room-${o}`, busi_type: 'consult' } },
          content: { type: 'text', text: `请问 room ${o} 明天还有空房吗？ message ${k}` },
          now,
          onlineStaff: new Set([staff.uid]),
          stickyWindowMs: 0,
        });
        lineId = out.line.line_id;
      }
    }
  }
  const head = await store.inboxHead(staff.uid);
  await store.close();
  return head;
}

/** The IM server as its own process (so the client's memory is measured alone); resolves with its URL. */
export async function startServerProcess(
  dataDir: string,
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-server/cli.ts', '--port', '0', '--data-dir', dataDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'ready' && entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
