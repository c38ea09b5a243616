import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserRef } from '../../src-shared/protocol';
import type { Random } from '../ports/random';
import type { SecretBox } from '../ports/secrets';
import { JsonDocument } from './json-file';

const StoredSession = z.object({
  server_url: z.string(),
  user: UserRef,
  /** The token as sealed by the SecretBox port, base64. */
  token: z.string(),
  sealed_with: z.string(),
  expires_at: z.number().int(),
});

export interface SessionData {
  server_url: string;
  user: UserRef;
  token: string;
  expires_at: number;
}

/** The signed-in session, kept across restarts in `<dataDir>/session.json`, token sealed by the host. */
export class SessionFile {
  private readonly doc: JsonDocument<typeof StoredSession>;

  constructor(
    dataDir: string,
    private readonly secrets: SecretBox,
    onInvalid?: (path: string, reason: string) => void,
  ) {
    this.doc = new JsonDocument(join(dataDir, 'session.json'), StoredSession, onInvalid);
  }

  /** Null when nobody is signed in, or the token was sealed by another host's SecretBox. */
  read(): SessionData | null {
    const stored = this.doc.read();
    if (!stored || stored.sealed_with !== this.secrets.kind) return null;
    try {
      const token = this.secrets.open(Buffer.from(stored.token, 'base64'));
      return { server_url: stored.server_url, user: stored.user, token, expires_at: stored.expires_at };
    } catch {
      return null;
    }
  }

  write(session: SessionData): void {
    this.doc.write({
      server_url: session.server_url,
      user: session.user,
      token: this.secrets.seal(session.token).toString('base64'),
      sealed_with: this.secrets.kind,
      expires_at: session.expires_at,
    });
  }

  clear(): void {
    rmSync(this.doc.path, { force: true });
  }
}

const DeviceFile = z.object({ device_id: z.string().min(1).max(64) });

/** This installation's device id: made once, kept across sign-outs (the server keys idempotency on it). */
export function loadDeviceId(dataDir: string, random: Random): string {
  const doc = new JsonDocument(join(dataDir, 'device.json'), DeviceFile);
  const existing = doc.read();
  if (existing) return existing.device_id;
  let id = 'd-';
  for (let i = 0; i < 20; i++) id += Math.floor(random() * 36).toString(36);
  doc.write({ device_id: id });
  return id;
}
