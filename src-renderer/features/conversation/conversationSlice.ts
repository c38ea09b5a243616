import {
  createEntityAdapter,
  createSlice,
  prepareAutoBatched,
  type EntityState,
  type PayloadAction,
} from '@reduxjs/toolkit';
import type { IpcArgs, IpcTopicPayload, LocalMessage } from '../../../src-shared/ipc';
import { createAppAsyncThunk, uiError, type UiError } from '../../app/thunk';
import { isSessionEnded } from '../session/sessionSlice';
import { insertKey, removeKey } from './ordering';

export const messagesAdapter = createEntityAdapter<LocalMessage, string>({ selectId: (m) => m.key });

export interface LineHistory {
  /** Message keys, oldest first. */
  keys: string[];
  /** The store has older messages than the first key. */
  more: boolean;
  loading: boolean;
  /** The newest page has been loaded at least once. */
  loaded: boolean;
  error: UiError | null;
}

export interface TypingNotice {
  display_name: string;
  /** Epoch ms after which the notice is stale. */
  until: number;
}

export interface ConversationState {
  messages: EntityState<LocalMessage, string>;
  /** random_id → current key, so the server copy replaces the local echo in place. */
  keyByRandomId: Record<string, string>;
  history: Record<string, LineHistory>;
  typing: Record<string, TypingNotice>;
  drafts: Record<string, string>;
  /** A message to bring into view and highlight (a search hit, a notification). */
  focus: { line_id: string; key: string } | null;
  /** Last refused send, on the line it was sent to. */
  sendError: (UiError & { line_id: string }) | null;
}

export const TYPING_NOTICE_MS = 5_000;
export const HISTORY_PAGE = 50;

const initialState: ConversationState = {
  messages: messagesAdapter.getInitialState(),
  keyByRandomId: {},
  history: {},
  typing: {},
  drafts: {},
  focus: null,
  sendError: null,
};

function historyOf(state: ConversationState, lineId: string): LineHistory {
  let h = state.history[lineId];
  if (!h) {
    h = { keys: [], more: true, loading: false, loaded: false, error: null };
    state.history[lineId] = h;
  }
  return h;
}

/** Store one message, replacing its local echo or an older copy; order by (ts, key) is kept. */
function upsert(state: ConversationState, message: LocalMessage): void {
  const entities = state.messages.entities;
  const tsOf = (key: string) => entities[key]?.ts ?? 0;
  const history = historyOf(state, message.line_id);
  const previousKey = message.random_id ? state.keyByRandomId[message.random_id] : undefined;
  if (previousKey !== undefined && previousKey !== message.key && entities[previousKey]) {
    removeKey(history.keys, previousKey);
    messagesAdapter.removeOne(state.messages, previousKey);
  }
  const existing = entities[message.key];
  if (existing && existing.ts !== message.ts) removeKey(history.keys, message.key);
  messagesAdapter.setOne(state.messages, message);
  if (!existing || existing.ts !== message.ts) insertKey(history.keys, message.key, message.ts, tsOf);
  if (message.random_id) state.keyByRandomId[message.random_id] = message.key;
  if (message.sender_role === 'customer') delete state.typing[message.line_id];
}

function remove(state: ConversationState, randomId: string): void {
  const key = state.keyByRandomId[randomId];
  if (key === undefined) return;
  const message = state.messages.entities[key];
  if (message) removeKey(historyOf(state, message.line_id).keys, key);
  messagesAdapter.removeOne(state.messages, key);
  delete state.keyByRandomId[randomId];
}

/** Older history of a line: the page before the oldest message shown. */
export const historyRequested = createAppAsyncThunk(
  'conversation/historyRequested',
  async ({ line_id }: { line_id: string }, { extra, getState }) => {
    const history = getState().conversation.history[line_id];
    const before = history?.loaded ? history.keys[0] : undefined;
    return extra.api.invoke('history.load', {
      line_id,
      limit: HISTORY_PAGE,
      ...(before !== undefined ? { before_key: before } : {}),
    });
  },
  {
    condition: ({ line_id }, { getState }) => {
      const h = getState().conversation.history[line_id];
      return !h || (!h.loading && (!h.loaded || h.more));
    },
  },
);

/** Unsent text the core kept from an earlier run (drafts survive restarts). */
export const draftsRequested = createAppAsyncThunk('conversation/draftsRequested', async (_: void, { extra }) =>
  extra.api.invoke('drafts.get', {}),
);

export const replySubmitted = createAppAsyncThunk(
  'conversation/replySubmitted',
  async ({ line_id, text }: { line_id: string; text: string }, { extra }) =>
    extra.api.invoke('message.send', { line_id, content: { type: 'text', text } }),
);

export const imageSubmitted = createAppAsyncThunk(
  'conversation/imageSubmitted',
  async ({ line_id, file }: { line_id: string; file: IpcArgs<'media.upload'> }, { extra }) =>
    extra.api.invoke('message.sendImage', { line_id, ...file }),
);

export const retryRequested = createAppAsyncThunk(
  'conversation/retryRequested',
  async ({ random_id }: { random_id: string }, { extra }) => extra.api.invoke('message.retry', { random_id }),
);

export const deleteRequested = createAppAsyncThunk(
  'conversation/deleteRequested',
  async ({ random_id }: { random_id: string }, { extra }) => {
    await extra.api.invoke('message.delete', { random_id });
    return random_id;
  },
);

export const linkOpened = createAppAsyncThunk(
  'conversation/linkOpened',
  async ({ url }: { url: string }, { extra }) => {
    await extra.api.invoke('link.open', { url });
  },
);

const conversationSlice = createSlice({
  name: 'conversation',
  initialState,
  reducers: {
    /** `message.new` from the bus. Bus events are auto-batched: subscribers hear once per frame. */
    messageReceived: {
      reducer(state, action: PayloadAction<LocalMessage>) {
        upsert(state, action.payload);
      },
      prepare: prepareAutoBatched<LocalMessage>(),
    },
    /** `message.updated` from the bus: delivery state changed, or the server copy replaced the echo. */
    messageUpdated: {
      reducer(state, action: PayloadAction<LocalMessage>) {
        upsert(state, action.payload);
      },
      prepare: prepareAutoBatched<LocalMessage>(),
    },
    typingReceived(state, action: PayloadAction<IpcTopicPayload<'typing'> & { until: number }>) {
      state.typing[action.payload.line_id] = { display_name: action.payload.display_name, until: action.payload.until };
    },
    typingExpired(state, action: PayloadAction<{ line_id: string; until: number }>) {
      const notice = state.typing[action.payload.line_id];
      if (notice && notice.until <= action.payload.until) delete state.typing[action.payload.line_id];
    },
    draftEdited(state, action: PayloadAction<{ line_id: string; text: string }>) {
      if (action.payload.text) state.drafts[action.payload.line_id] = action.payload.text;
      else delete state.drafts[action.payload.line_id];
    },
    /** Bring this message into view and highlight it once (a search hit, a notification click). */
    messageFocused(state, action: PayloadAction<{ line_id: string; key: string }>) {
      state.focus = action.payload;
    },
    focusSettled(state) {
      state.focus = null;
    },
    sendErrorDismissed(state) {
      state.sendError = null;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(draftsRequested.fulfilled, (state, action) => {
        // What was typed in this run already is newer than what the core kept.
        state.drafts = { ...action.payload, ...state.drafts };
      })
      .addCase(historyRequested.pending, (state, action) => {
        const h = historyOf(state, action.meta.arg.line_id);
        h.loading = true;
        h.error = null;
      })
      .addCase(historyRequested.fulfilled, (state, action) => {
        const h = historyOf(state, action.meta.arg.line_id);
        for (const m of action.payload.messages) upsert(state, m);
        h.loading = false;
        h.more = action.payload.more;
        h.loaded = true;
      })
      .addCase(historyRequested.rejected, (state, action) => {
        const h = historyOf(state, action.meta.arg.line_id);
        h.loading = false;
        h.error = uiError(action.error);
      })
      .addCase(replySubmitted.pending, (state, action) => {
        delete state.drafts[action.meta.arg.line_id];
        state.sendError = null;
      })
      .addCase(replySubmitted.fulfilled, (state, action) => upsert(state, action.payload))
      .addCase(replySubmitted.rejected, (state, action) => {
        // Nothing was queued: give the text back so no typing is lost.
        state.drafts[action.meta.arg.line_id] ??= action.meta.arg.text;
        state.sendError = { ...uiError(action.error), line_id: action.meta.arg.line_id };
      })
      .addCase(imageSubmitted.fulfilled, (state, action) => upsert(state, action.payload))
      .addCase(imageSubmitted.rejected, (state, action) => {
        state.sendError = { ...uiError(action.error), line_id: action.meta.arg.line_id };
      })
      .addCase(retryRequested.fulfilled, (state, action) => upsert(state, action.payload))
      .addCase(deleteRequested.fulfilled, (state, action) => remove(state, action.payload))
      .addMatcher(isSessionEnded, () => initialState);
  },
});

export const {
  messageReceived,
  messageUpdated,
  typingReceived,
  typingExpired,
  draftEdited,
  messageFocused,
  focusSettled,
  sendErrorDismissed,
} = conversationSlice.actions;
export default conversationSlice.reducer;
