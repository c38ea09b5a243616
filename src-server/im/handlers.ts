import {
  ImError,
  push,
  type Need,
  type ParsedRequestBody,
  type RequestResult,
  type RequestType,
} from '../../src-shared/protocol';
import type { TokenIssuer } from '../auth/tokens';
import type { ServerConfig } from '../config';
import { renderLine } from '../domain/line';
import type { Hub } from '../hub/types';
import type { Logger } from '../logger';
import { mediaNameOfUrl, mimeOfMediaName } from '../media/names';
import { StoredImageSizes } from '../media/stored-sizes';
import type { MediaStore } from '../media/types';
import type { RemotePush } from '../presence/remote-push';
import type { PresenceDirectory, TransportKind } from '../presence/types';
import type { Account, LineRecord, Store, WriteOutcome } from '../store/types';

/** Everything a request handler may use; one instance per server. */
export interface ImContext {
  store: Store;
  hub: Hub;
  presence: PresenceDirectory;
  remotePush: RemotePush;
  media: MediaStore;
  tokens: TokenIssuer;
  config: ServerConfig;
  logger: Logger;
  now: () => number;
}

/** Who is asking, over which channel. WebSocket sessions live as long as the socket; HTTP ones per request. */
export interface Session {
  account: Account;
  device_id: string;
  transport: TransportKind;
  token_expires_at: number;
  /** The channel's own copy of its view, used to filter ephemeral pushes (typing) as they arrive. */
  need: Need | null;
}

type Handler<T extends RequestType> = (session: Session, body: ParsedRequestBody<T>) => Promise<RequestResult<T>>;
export type HandledType = Exclude<RequestType, 'hello'>;

/**
 * The request handlers, transport-agnostic: WebSocket frames and POST /v1/rpc both end here with an
 * already validated body. Every handler authorises against the session's account first.
 */
export class RequestHandlers {
  private readonly owners = new LineOwners(50_000);
  private readonly imageSizes: StoredImageSizes;

  constructor(private readonly ctx: ImContext) {
    this.imageSizes = new StoredImageSizes(ctx.media);
  }

  handle<T extends HandledType>(session: Session, type: T, body: ParsedRequestBody<T>): Promise<RequestResult<T>> {
    const handler = this.table[type] as Handler<T>;
    return handler(session, body);
  }

  private readonly table: { [T in HandledType]: Handler<T> } = {
    sync: (s, b) => this.ctx.store.sync(s.account.uid, b.cursor, b.limit ?? this.ctx.config.maxSyncPage),

    send: async (s, b) => {
      const { store } = this.ctx;
      const content = b.content.type === 'image' ? await this.ownImage(b.content) : b.content;
      if (b.content.type === 'card' && b.content.image_url !== undefined)
        await this.requireOwnMedia(b.content.image_url, null);
      // Presence is only consulted when a customer's send may assign the line (new, queued or
      // resolved); staff who reply take a line themselves, so theirs needs no more than the check.
      let assignWithin: string | null = null;
      if (b.to) {
        if (s.account.role !== 'customer')
          throw new ImError('FORBIDDEN', 'only customers open lines; staff reply with line_id');
        const object = await store.getObject(b.to.object_id);
        if (!object) throw new ImError('NOT_FOUND', `no object ${b.to.object_id}`);
        assignWithin = object.merchant_id;
      } else if (s.account.role === 'staff') {
        await this.authorizeLine(s.account, b.line_id ?? '');
      } else {
        const line = await this.visibleLine(s.account, b.line_id ?? '');
        if (line.assignee === null || line.status === 'resolved') assignWithin = line.merchant_id;
      }
      const out = await store.send({
        sender: s.account,
        device_id: s.device_id,
        random_id: b.random_id,
        target: b.to ? { to: b.to } : { line_id: b.line_id ?? '' },
        content,
        now: this.ctx.now(),
        onlineStaff: assignWithin === null ? new Set<string>() : await this.onlineStaff(assignWithin),
        stickyWindowMs: this.ctx.config.stickyWindowMs,
      });
      if (!out.duplicate) {
        await this.publish(out);
        await this.remotePushOffline(out.delivered_to, out.message, out.line);
      }
      return {
        message: out.message,
        line: renderLine(out.line, s.account.role),
        seq: out.seq,
        duplicate: out.duplicate,
      };
    },

    read: async (s, b) => {
      await this.authorizeLine(s.account, b.line_id);
      await this.publish(
        await this.ctx.store.markRead({
          line_id: b.line_id,
          reader: s.account,
          message_id: b.message_id,
          now: this.ctx.now(),
        }),
      );
      return {};
    },

    typing: async (s, b) => {
      const line = await this.visibleLine(s.account, b.line_id);
      const peers =
        s.account.role === 'customer'
          ? line.assignee !== null
            ? [line.assignee]
            : (await this.ctx.store.listStaff(line.merchant_id)).map((m) => m.uid)
          : [line.uid];
      const envelope = push('typing', {
        line_id: line.line_id,
        uid: s.account.uid,
        display_name: s.account.display_name,
      });
      await this.ctx.hub.publishEphemeral(
        peers.filter((uid) => uid !== s.account.uid),
        { envelope, line_id: line.line_id },
      );
      return {};
    },

    presence: async (s, b) => {
      await this.ctx.presence.updateDevice(s.account.uid, s.device_id, { focused: b.focused });
      await this.announcePresence(s.account, true, b.focused);
      return {};
    },

    need: async (s, b) => {
      s.need = b.need;
      await this.ctx.presence.updateDevice(s.account.uid, s.device_id, { need: b.need });
      return {};
    },

    'lines.list': async (s, b) => {
      const { lines, unread } = await this.ctx.store.listLines({
        viewer: s.account,
        status: b.status,
        busi_type: b.busi_type,
        mine: b.mine,
        before: b.before,
        limit: b.limit,
      });
      return { lines: lines.map((l) => renderLine(l, s.account.role)), unread };
    },

    history: async (s, b) => {
      await this.authorizeLine(s.account, b.line_id);
      return this.ctx.store.history(b.line_id, b.before_message_id ?? null, b.limit);
    },

    'line.transfer': async (s, b) => {
      this.requireStaff(s.account);
      await this.authorizeLine(s.account, b.line_id);
      const out = await this.ctx.store.transfer({ line_id: b.line_id, to: b.to, now: this.ctx.now() });
      await this.publish(out);
      await this.assignQueued(out.line.merchant_id);
      return { line: renderLine(out.line, 'staff') };
    },

    'line.status': async (s, b) => {
      this.requireStaff(s.account);
      await this.authorizeLine(s.account, b.line_id);
      const out = await this.ctx.store.setStatus({ line_id: b.line_id, status: b.status, now: this.ctx.now() });
      await this.publish(out);
      if (b.status === 'resolved') await this.assignQueued(out.line.merchant_id);
      return { line: renderLine(out.line, 'staff') };
    },

    'staff.list': async (s) => {
      const merchantId = this.requireStaff(s.account);
      const staff = (await this.ctx.store.listStaff(merchantId)).filter((m) => !m.disabled);
      const online = await this.ctx.presence.online(staff.map((m) => m.uid));
      return {
        staff: staff.map((m) => ({
          uid: m.uid,
          display_name: m.display_name,
          online: online.has(m.uid),
          open_lines: m.open_lines,
          capacity: m.capacity,
        })),
      };
    },

    'quick_replies.list': async (s) => {
      this.requireStaff(s.account);
      return { quick_replies: await this.ctx.store.listQuickReplies(s.account.uid) };
    },

    'quick_replies.put': async (s, b) => {
      this.requireStaff(s.account);
      const saved = await this.ctx.store.putQuickReply(s.account.uid, b, this.ctx.now());
      if (!saved) throw new ImError('NOT_FOUND', `no quick reply ${b.id ?? ''}`);
      return { quick_reply: saved };
    },

    'quick_replies.delete': async (s, b) => {
      this.requireStaff(s.account);
      if (!(await this.ctx.store.deleteQuickReply(s.account.uid, b.id)))
        throw new ImError('NOT_FOUND', `no quick reply ${b.id}`);
      return {};
    },

    'token.refresh': async (s) => {
      const issued = await this.ctx.tokens.issue({
        uid: s.account.uid,
        role: s.account.role,
        merchant_id: s.account.merchant_id,
      });
      s.token_expires_at = issued.expires_at;
      return issued;
    },

    ping: (_s, b) => Promise.resolve({ t: b.t, server_time: this.ctx.now() }),
  };

  /** A channel of this user just became live: staff coming online may take queued lines. */
  async channelOpened(account: Account, becameOnline: boolean, focused: boolean): Promise<void> {
    if (!becameOnline) return;
    await this.announcePresence(account, true, focused);
    if (account.role === 'staff' && account.merchant_id !== null) await this.assignQueued(account.merchant_id);
  }

  async channelClosed(account: Account): Promise<void> {
    const stillOnline = (await this.ctx.presence.online([account.uid])).has(account.uid);
    if (!stillOnline) await this.announcePresence(account, false, false);
  }

  /** Customers see only their own lines, staff only their merchant's; anything else does not exist for them. */
  async visibleLine(account: Account, lineId: string): Promise<LineRecord> {
    const line = await this.ctx.store.getLine(lineId);
    if (line) this.owners.remember(line);
    if (!line || !mayView(account, line)) throw new ImError('NOT_FOUND', `no line ${lineId}`);
    return line;
  }

  /** The same check when the line itself is not needed: whose a line is never changes, so it is remembered. */
  private async authorizeLine(account: Account, lineId: string): Promise<void> {
    const owner = this.owners.get(lineId);
    if (!owner) await this.visibleLine(account, lineId);
    else if (!mayView(account, owner)) throw new ImError('NOT_FOUND', `no line ${lineId}`);
  }

  /** Images are shown only if this server has them: a client can never make others load a foreign URL. */
  /** An image of this server's media store, with the size the image really has (whatever the client said). */
  private async ownImage<C extends { url: string; mime: string; width: number; height: number }>(
    content: C,
  ): Promise<C> {
    await this.requireOwnMedia(content.url, content.mime);
    const size = await this.imageSizes.of(mediaNameOfUrl(content.url)!);
    if (!size) throw new ImError('INVALID_ARGUMENT', 'the uploaded image cannot be read; upload it again');
    return size.width === content.width && size.height === content.height ? content : { ...content, ...size };
  }

  private async requireOwnMedia(url: string, mime: string | null): Promise<void> {
    const name = mediaNameOfUrl(url);
    const ok = name !== null && (mime === null || mimeOfMediaName(name) === mime) && (await this.ctx.media.has(name));
    if (!ok) throw new ImError('INVALID_ARGUMENT', 'images must be uploaded to this server first (POST /v1/media)');
  }

  private requireStaff(account: Account): string {
    if (account.role !== 'staff' || account.merchant_id === null) throw new ImError('FORBIDDEN', 'staff only');
    return account.merchant_id;
  }

  private async onlineStaff(merchantId: string): Promise<Set<string>> {
    const staff = await this.ctx.store.listStaff(merchantId);
    return this.ctx.presence.online(staff.map((m) => m.uid));
  }

  private async assignQueued(merchantId: string): Promise<void> {
    const outcomes = await this.ctx.store.assignQueued({
      merchant_id: merchantId,
      onlineStaff: await this.onlineStaff(merchantId),
      now: this.ctx.now(),
      stickyWindowMs: this.ctx.config.stickyWindowMs,
    });
    for (const out of outcomes) await this.publish(out);
  }

  private async publish(out: WriteOutcome): Promise<void> {
    if (out.heads.length > 0) await this.ctx.hub.publishInbox(out.heads);
  }

  private async remotePushOffline(
    uids: string[],
    message: Parameters<RemotePush['notify']>[1]['message'],
    line: LineRecord,
  ): Promise<void> {
    if (uids.length === 0) return;
    const online = await this.ctx.presence.online(uids);
    for (const uid of uids) {
      if (online.has(uid)) continue;
      const notice = { message, line: renderLine(line, uid === line.uid ? 'customer' : 'staff') };
      // The hook must never fail a send that is already committed.
      await this.ctx.remotePush
        .notify(uid, notice)
        .catch((err: unknown) => this.ctx.logger.warn({ err, uid }, 'remote push failed'));
    }
  }

  /** Staff presence is shown to colleagues of the same merchant. */
  private async announcePresence(account: Account, online: boolean, focused: boolean): Promise<void> {
    if (account.role !== 'staff' || account.merchant_id === null) return;
    const colleagues = (await this.ctx.store.listStaff(account.merchant_id))
      .map((m) => m.uid)
      .filter((uid) => uid !== account.uid);
    if (colleagues.length === 0) return;
    await this.ctx.hub.publishEphemeral(colleagues, {
      envelope: push('presence', { uid: account.uid, online, focused }),
    });
  }
}

function mayView(account: Account, line: LineOwner): boolean {
  return account.role === 'customer' ? line.uid === account.uid : line.merchant_id === account.merchant_id;
}

interface LineOwner {
  uid: string;
  merchant_id: string;
}

/** A line's customer and merchant, set when it is created and never changed; at most `max`, oldest forgotten. */
class LineOwners {
  private readonly owners = new Map<string, LineOwner>();

  constructor(private readonly max: number) {}

  get(lineId: string): LineOwner | undefined {
    return this.owners.get(lineId);
  }

  remember(line: LineRecord): void {
    if (this.owners.has(line.line_id)) return;
    if (this.owners.size >= this.max) this.owners.delete(this.owners.keys().next().value as string);
    this.owners.set(line.line_id, { uid: line.uid, merchant_id: line.merchant_id });
  }
}
