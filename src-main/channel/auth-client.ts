import type { Agent } from 'node:http';
import { z } from 'zod';
import { LoginResult, PROTOCOL_VERSION, type LoginResult as LoginResultType } from '../../src-shared/protocol';
import { ClientError, errorShape } from '../core/errors';
import { httpJson } from './http';
import { httpError } from './poll-connection';

const Refreshed = z.object({ token: z.string(), expires_at: z.number().int() });
const AUTH_TIMEOUT_MS = 15_000;

/** POST /v1/auth/login. Rejects with ClientError (BAD_CREDENTIALS, ACCOUNT_DISABLED, NETWORK, …). */
export async function login(
  serverUrl: string,
  input: { account: string; password: string; deviceId: string; agent?: Agent | undefined },
): Promise<LoginResultType> {
  const json = await post(serverUrl, '/v1/auth/login', {
    body: JSON.stringify({
      account: input.account,
      password: input.password,
      device_id: input.deviceId,
      protocol: PROTOCOL_VERSION,
    }),
    agent: input.agent,
  });
  const parsed = LoginResult.safeParse(json);
  if (!parsed.success) throw new ClientError('INTERNAL', 'the sign-in answer does not match the protocol');
  return parsed.data;
}

/** POST /v1/auth/refresh with the current (possibly just expired) token. */
export async function refresh(
  serverUrl: string,
  input: { token: string; deviceId: string; agent?: Agent | undefined },
): Promise<z.infer<typeof Refreshed>> {
  const json = await post(serverUrl, '/v1/auth/refresh', {
    body: '{}',
    headers: { authorization: `Bearer ${input.token}`, 'x-device-id': input.deviceId },
    agent: input.agent,
  });
  const parsed = Refreshed.safeParse(json);
  if (!parsed.success) throw new ClientError('INTERNAL', 'the refresh answer does not match the protocol');
  return parsed.data;
}

async function post(
  serverUrl: string,
  path: string,
  o: { body: string; headers?: Record<string, string>; agent?: Agent | undefined },
): Promise<unknown> {
  let url: string;
  try {
    url = new URL(path, serverUrl).toString();
  } catch {
    throw ClientError.fromWire(errorShape('INVALID_ARGUMENT', `not a server address: ${serverUrl}`));
  }
  const r = await httpJson({
    method: 'POST',
    url,
    body: o.body,
    headers: o.headers ?? {},
    timeoutMs: AUTH_TIMEOUT_MS,
    agent: o.agent,
  }).result;
  if (!r.ok) throw ClientError.fromWire(r.error);
  if (r.status !== 200) throw ClientError.fromWire(httpError(r.json, r.status));
  return r.json;
}
