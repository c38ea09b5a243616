import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  Id,
  LoginRequest,
  PROTOCOL_VERSION,
  describeIssues,
  wireError,
  type LoginResult,
  type WireError,
} from '../../src-shared/protocol';
import type { LoginAttempts } from '../auth/login-attempts';
import { verifyPassword } from '../auth/passwords';
import { authenticate, bearer } from '../im/authenticate';
import { dispatchFrame, runRequest } from '../im/dispatch';
import { toWireError } from '../im/errors';
import type { ImContext, RequestHandlers, Session } from '../im/handlers';
import { KeyedBuckets, type TokenBucket } from '../im/rate-limit';
import { sendError } from './http-errors';
import type { PollGateway } from './poll';

const PollQuery = z
  .object({
    epoch: z.string().min(1).max(64).optional(),
    seq: z.coerce.number().int().nonnegative().optional(),
    wait_ms: z.coerce.number().int().nonnegative().optional(),
    focused: z.enum(['0', '1', 'true', 'false']).optional(),
    device_id: Id.optional(),
  })
  .refine((q) => (q.epoch === undefined) === (q.seq === undefined), 'epoch and seq go together');

/** A password check still runs for unknown accounts, so timing does not reveal which accounts exist. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export interface HttpRoutesDeps {
  ctx: ImContext;
  handlers: RequestHandlers;
  polls: PollGateway;
  isDraining: () => boolean;
  /** Open WebSockets on this node, so operators (and the balancer tests) see where the load sits. */
  webSocketCount: () => number;
  /** More state for /healthz (cluster mode: database and Redis); `ok: false` answers 503. */
  health?: () => Promise<{ ok: boolean }>;
  /** The sign-in throttle: this node's own, or the cluster's in Redis. */
  logins: LoginAttempts;
}

/** The HTTP half of the protocol: sign-in, token refresh, request/reply (rpc) and long-poll receive. */
export function registerHttpRoutes(app: FastifyInstance, deps: HttpRoutesDeps): void {
  const { ctx, handlers, polls } = deps;
  const { config } = ctx;
  // HTTP has no connection to hang a bucket on, so requests are limited per (user, device).
  const buckets = new KeyedBuckets(config.ratePerSecond, config.rateBurst);
  const bucketOf = (s: Session): TokenBucket => buckets.for(`${s.account.uid}\n${s.device_id}`, ctx.now());
  const { logins } = deps;

  // Bodies arrive as text: the protocol parses every inbound packet once, itself (parseClientFrame).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: config.maxPacketBytes * 4 }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((err: { statusCode?: number }, req, res) => {
    const status = err.statusCode ?? 500;
    const error =
      status === 413
        ? wireError('PAYLOAD_TOO_LARGE', `body exceeds ${config.maxPacketBytes} bytes`)
        : status >= 400 && status < 500
          ? wireError('BAD_PACKET', 'malformed request')
          : toWireError(err, ctx.logger);
    return sendError(res, error, req.url.startsWith('/v1/rpc'));
  });
  app.setNotFoundHandler((_req, res) => sendError(res, wireError('NOT_FOUND', 'no such endpoint'), false));

  // Returning the reply from an async hook ends the request there: the route never runs.
  app.addHook('onRequest', async (req, res) => {
    if (deps.isDraining() && req.url !== '/healthz') {
      return sendError(
        res,
        wireError('SERVER_DRAINING', 'server is shutting down', config.drainWindowMs),
        req.url.startsWith('/v1/rpc'),
      );
    }
    return undefined;
  });

  app.get('/healthz', async (_req, res) => {
    const more = deps.health ? await deps.health() : null;
    const ok = !deps.isDraining() && (more?.ok ?? true);
    const connections = { websocket: deps.webSocketCount(), held_polls: polls.heldCount };
    return res
      .code(ok ? 200 : 503)
      .send({ ...more, ok, draining: deps.isDraining(), protocol: PROTOCOL_VERSION, connections });
  });

  app.post('/v1/auth/login', async (req, res) => {
    const parsed = LoginRequest.safeParse(parseJson(req.body));
    if (!parsed.success) return sendError(res, wireError('BAD_PACKET', describeIssues(parsed.error)), false);
    if (parsed.data.protocol !== PROTOCOL_VERSION)
      return sendError(res, wireError('PROTOCOL_VERSION', `this server speaks protocol ${PROTOCOL_VERSION}`), false);
    // Refused before the (slow) password check: guessing costs the guesser time, not the server CPU.
    const login = parsed.data.account;
    const wait = await logins.attempt(login, req.ip, ctx.now());
    if (wait !== null) {
      ctx.logger.warn({ account: login, address: req.ip }, 'sign-in throttled');
      return sendError(res, wireError('RATE_LIMITED', 'too many failed sign-ins; wait and try again', wait), false);
    }
    const account = await ctx.store.findAccountByLogin(login);
    const matches = await verifyPassword(parsed.data.password, account?.password_hash ?? DUMMY_HASH);
    if (!account || !matches) return sendError(res, wireError('BAD_CREDENTIALS', 'wrong account or password'), false);
    await logins.succeeded(login, req.ip);
    if (account.disabled) return sendError(res, wireError('ACCOUNT_DISABLED', 'account disabled'), false);
    const issued = await ctx.tokens.issue({ uid: account.uid, role: account.role, merchant_id: account.merchant_id });
    const result: LoginResult = {
      ...issued,
      user: {
        uid: account.uid,
        role: account.role,
        display_name: account.display_name,
        merchant_id: account.merchant_id,
      },
    };
    ctx.logger.info({ uid: account.uid, device_id: parsed.data.device_id }, 'signed in');
    return result;
  });

  app.post('/v1/auth/refresh', async (req, res) => {
    const auth = await authenticate(ctx, bearer(req.headers.authorization), true);
    if (!auth.ok) return sendError(res, auth.error, false);
    return ctx.tokens.issue({ uid: auth.account.uid, role: auth.account.role, merchant_id: auth.account.merchant_id });
  });

  app.post('/v1/rpc', async (req, res) => {
    const session = await httpSession(req);
    if ('code' in session) return sendError(res, session, true);
    const text = typeof req.body === 'string' ? req.body : '';
    const { replies } = await dispatchFrame(text, Buffer.byteLength(text), config, bucketOf(session), ctx.now, (env) =>
      runRequest(handlers, session, env, config, ctx.logger),
    );
    return res.code(200).send(replies);
  });

  app.get('/v1/poll', async (req, res) => {
    const session = await httpSession(req);
    if ('code' in session) return sendError(res, session, false);
    const query = PollQuery.safeParse(req.query);
    if (!query.success) return sendError(res, wireError('BAD_PACKET', describeIssues(query.error)), false);
    const wait = bucketOf(session).take(ctx.now());
    if (wait !== null) return sendError(res, wireError('RATE_LIMITED', 'polling too often', wait), false);
    const q = query.data;
    const aborted = new Promise<void>((resolve) => req.raw.once('close', () => resolve()));
    const answer = await polls.poll({
      account: session.account,
      device_id: session.device_id,
      cursor: q.epoch !== undefined && q.seq !== undefined ? { epoch: q.epoch, seq: q.seq } : null,
      waitMs: Math.min(q.wait_ms ?? config.maxPollWaitMs, config.maxPollWaitMs),
      focused: q.focused === undefined ? undefined : q.focused === '1' || q.focused === 'true',
      aborted,
    });
    // Already JSON: Fastify sends a string with a JSON content type as it is.
    return res.type('application/json; charset=utf-8').send(answer);
  });

  async function httpSession(req: FastifyRequest): Promise<Session | WireError> {
    const auth = await authenticate(ctx, bearer(req.headers.authorization));
    if (!auth.ok) return auth.error;
    const header = req.headers['x-device-id'];
    const fromQuery = (req.query as { device_id?: unknown } | undefined)?.device_id;
    const device = Id.safeParse(typeof header === 'string' ? header : fromQuery);
    if (!device.success) return wireError('BAD_PACKET', 'X-Device-Id header (or device_id query) is required');
    return {
      account: auth.account,
      device_id: device.data,
      transport: 'poll',
      token_expires_at: auth.expires_at,
      need: null,
    };
  }
}

function parseJson(body: unknown): unknown {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
