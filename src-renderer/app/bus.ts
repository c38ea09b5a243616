import type { MerchantImApi } from '../../src-shared/ipc';
import { channelStateChanged } from '../features/connection/connectionSlice';
import {
  messageReceived,
  messageUpdated,
  messageFocused,
  TYPING_NOTICE_MS,
  typingReceived,
} from '../features/conversation/conversationSlice';
import { lineOpened, lineUpdated, unreadChanged } from '../features/lines/linesSlice';
import { sessionChanged } from '../features/session/sessionSlice';
import { settingsChanged } from '../features/settings/settingsSlice';
import type { AppDispatch } from './store';

/**
 * The core's topic bus, as actions named for what happened. One subscription per topic for the
 * renderer's life; the returned function removes them all.
 */
export function connectBus(api: MerchantImApi, dispatch: AppDispatch, now: () => number): () => void {
  const offs = [
    api.subscribe('message.new', (m) => dispatch(messageReceived(m))),
    api.subscribe('message.updated', (m) => dispatch(messageUpdated(m))),
    api.subscribe('line.updated', (l) => dispatch(lineUpdated(l))),
    api.subscribe('unread.changed', (u) => dispatch(unreadChanged(u))),
    api.subscribe('typing', (t) => dispatch(typingReceived({ ...t, until: now() + TYPING_NOTICE_MS }))),
    api.subscribe('channel.state', (c) => dispatch(channelStateChanged(c))),
    api.subscribe('session.changed', (s) => dispatch(sessionChanged(s))),
    api.subscribe('settings.changed', (s) => dispatch(settingsChanged(s))),
    api.subscribe('ui.openLine', ({ line_id, message_id }) => {
      dispatch(lineOpened(line_id));
      if (message_id !== null) dispatch(messageFocused({ line_id, key: message_id }));
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
