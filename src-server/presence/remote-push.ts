import type { Line, Message } from '../../src-shared/protocol';
import type { Logger } from '../logger';

/**
 * Called for a message recipient who has no live channel (seed 3.2): the place to hand the message
 * to APNs/FCM or an SMS gateway. Must not throw into the send path; failures are the hook's to log.
 */
export interface RemotePush {
  notify(uid: string, notice: { message: Message; line: Line }): Promise<void>;
}

/**
 * Default hook: records what would have been pushed, at debug level — one line per message to an
 * offline user would otherwise dominate the log of a busy server.
 */
export class LoggingRemotePush implements RemotePush {
  constructor(private readonly logger: Logger) {}

  notify(uid: string, notice: { message: Message; line: Line }): Promise<void> {
    this.logger.debug(
      { uid, line_id: notice.line.line_id, message_id: notice.message.message_id },
      'remote push (no live channel)',
    );
    return Promise.resolve();
  }
}
