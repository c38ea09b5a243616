import { join } from 'node:path';
import { z } from 'zod';
import type { TransportConfig } from '../core/config';
import { JsonDocument } from '../core/json-file';

/**
 * Which transport works with a server, remembered across restarts (`<dataDir>/transport.json`),
 * so a client behind a proxy that kills WebSockets does not pay the WebSocket budget on every
 * start. The rules are pure functions of the memory and what just happened.
 */
export const TransportMemory = z.object({
  preferred: z.enum(['ws', 'poll']),
  /** WebSockets in a row that died young (soon after their welcome). */
  young_deaths: z.number().int().nonnegative(),
  /** Failed background WebSocket probes in a row while on long-poll. */
  probe_failures: z.number().int().nonnegative(),
});
export type TransportMemory = z.infer<typeof TransportMemory>;

export const FRESH_MEMORY: TransportMemory = { preferred: 'ws', young_deaths: 0, probe_failures: 0 };

/** WebSocket could not open or prove itself, but long-poll then worked: the path blocks WebSockets. */
export function afterWsBlocked(m: TransportMemory): TransportMemory {
  return { ...m, preferred: 'poll', young_deaths: 0 };
}

/** A proven WebSocket ended after `livedMs`. Dying young repeatedly means a middlebox kills upgraded sockets. */
export function afterWsEnded(m: TransportMemory, livedMs: number, config: TransportConfig): TransportMemory {
  if (livedMs >= config.wsYoungMs) return { ...m, young_deaths: 0 };
  const young = m.young_deaths + 1;
  return young >= config.wsMaxYoungDeaths
    ? { preferred: 'poll', young_deaths: 0, probe_failures: m.probe_failures }
    : { ...m, young_deaths: young };
}

export function afterProbe(m: TransportMemory, ok: boolean): TransportMemory {
  return ok ? FRESH_MEMORY : { ...m, probe_failures: m.probe_failures + 1 };
}

/** When to probe WebSocket again while on long-poll: doubling per failed probe, capped. */
export function probeDelayMs(m: TransportMemory, config: TransportConfig): number {
  return Math.min(config.probeMaxMs, config.probeAfterMs * 2 ** Math.min(m.probe_failures, 20));
}

const MemoryFile = z.record(z.string(), TransportMemory);

/** The memory per server URL, persisted. */
export class TransportMemoryFile {
  private readonly doc: JsonDocument<typeof MemoryFile>;

  constructor(dataDir: string) {
    this.doc = new JsonDocument(join(dataDir, 'transport.json'), MemoryFile);
  }

  get(serverUrl: string): TransportMemory {
    return this.doc.read()?.[serverUrl] ?? FRESH_MEMORY;
  }

  set(serverUrl: string, memory: TransportMemory): void {
    this.doc.write({ ...this.doc.read(), [serverUrl]: memory });
  }
}
