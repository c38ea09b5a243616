import {
  LIMITS,
  errorReply,
  isRequestType,
  parseClientFrame,
  parseRequestBody,
  reply,
  wireError,
  type ClientEnvelope,
  type ServerEnvelope,
} from '../../src-shared/protocol';
import type { Logger } from '../logger';
import { toWireError } from './errors';
import type { HandledType, RequestHandlers, Session } from './handlers';
import type { TokenBucket } from './rate-limit';

export interface FrameLimits {
  maxPacketBytes: number;
  maxTextLength: number;
}

/**
 * One inbound frame → the envelopes to answer with, in request order. The only place transport
 * bytes become requests (parse once, then per-envelope rate limit and routing). Never throws.
 */
export async function dispatchFrame(
  text: string,
  byteLength: number,
  limits: FrameLimits,
  bucket: TokenBucket,
  now: () => number,
  route: (envelope: ClientEnvelope) => Promise<ServerEnvelope | null>,
): Promise<{ batch: boolean; replies: ServerEnvelope[] }> {
  if (byteLength > limits.maxPacketBytes) {
    return {
      batch: false,
      replies: [
        errorReply(
          null,
          wireError('PAYLOAD_TOO_LARGE', `frame of ${byteLength} bytes exceeds ${limits.maxPacketBytes}`),
        ),
      ],
    };
  }
  const parsed = parseClientFrame(text, limits.maxPacketBytes);
  if (!parsed.ok) return { batch: false, replies: [errorReply(guessId(text), parsed.error)] };
  const replies: ServerEnvelope[] = [];
  for (const envelope of parsed.envelopes) {
    const wait = bucket.take(now());
    if (wait !== null) {
      replies.push(errorReply(envelope.id ?? null, wireError('RATE_LIMITED', 'too many packets', wait)));
      continue;
    }
    const answer = await route(envelope);
    if (answer) replies.push(answer);
  }
  return { batch: text.trimStart().startsWith('['), replies };
}

/** Standard handling of one authenticated request (everything but hello). */
export async function runRequest(
  handlers: RequestHandlers,
  session: Session,
  envelope: ClientEnvelope,
  limits: FrameLimits,
  logger: Logger,
): Promise<ServerEnvelope | null> {
  const re = envelope.id ?? null;
  if (!isRequestType(envelope.type))
    return errorReply(re, wireError('UNKNOWN_TYPE', `unknown type ${envelope.type.slice(0, 40)}`));
  if (envelope.type === 'hello')
    return errorReply(re, wireError('INVALID_ARGUMENT', 'hello is sent once, first, on a WebSocket'));
  const tooLong = messageTooLong(envelope, limits.maxTextLength);
  if (tooLong) return errorReply(re, tooLong);
  const type: HandledType = envelope.type;
  const body = parseRequestBody(type, envelope.body);
  if (!body.ok) return errorReply(re, body.error);
  try {
    const result = await handlers.handle(session, type, body.body);
    return re === null ? null : reply(re, result);
  } catch (err) {
    return errorReply(re, toWireError(err, logger));
  }
}

/** Over-long text gets its own code rather than a generic schema failure. */
function messageTooLong(envelope: ClientEnvelope, max: number): ReturnType<typeof wireError> | null {
  if (envelope.type !== 'send' && envelope.type !== 'quick_replies.put') return null;
  const body = envelope.body as { content?: { text?: unknown }; text?: unknown } | null;
  const text = envelope.type === 'send' ? body?.content?.text : body?.text;
  const limit = Math.min(max, LIMITS.maxTextLength);
  return typeof text === 'string' && text.length > limit
    ? wireError('MESSAGE_TOO_LONG', `text of ${text.length} characters exceeds ${limit}`)
    : null;
}

/** Best effort: the id of a frame that failed validation, so the client can match the error. */
function guessId(text: string): string | null {
  try {
    const json: unknown = JSON.parse(text);
    if (
      typeof json === 'object' &&
      json !== null &&
      !Array.isArray(json) &&
      'id' in json &&
      typeof json.id === 'string'
    )
      return json.id.slice(0, 64);
  } catch {
    // not JSON: nothing to match
  }
  return null;
}
