import type { Agent } from 'node:http';
import { ClientError } from './errors';

/** What an image transfer needs of the signed-in account (`AccountRuntime.mediaAccess`). */
export interface MediaAccess {
  serverUrl: string;
  deviceId: string;
  token(): string;
  /** Whether the data channel is connected right now. */
  connected(): boolean;
  /** Exchange the session's token for a fresh one (throws a ClientError when it cannot). */
  refreshToken(): Promise<void>;
  agent(): Promise<Agent | undefined>;
}

/**
 * Run an HTTP transfer with the session's token; when the token expired since the last refresh,
 * refresh it once and run it again. A second expiry is real and is thrown.
 */
export async function withFreshToken<T>(
  access: Pick<MediaAccess, 'refreshToken'>,
  attempt: () => Promise<T>,
): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!(err instanceof ClientError) || err.code !== 'TOKEN_EXPIRED') throw err;
    await access.refreshToken();
    return attempt();
  }
}
