import { createSlice, prepareAutoBatched, type PayloadAction } from '@reduxjs/toolkit';
import type { IpcTopicPayload, LineView } from '../../../src-shared/ipc';
import type { BusiType, LineStatus } from '../../../src-shared/protocol';
import { createAppAsyncThunk, uiError, type UiError } from '../../app/thunk';
import { messageReceived, messageUpdated } from '../conversation/conversationSlice';
import { isSessionEnded } from '../session/sessionSlice';
import { emptyLineTable, lineIn, lineTableOf, putLine, type LineTable } from './lineTable';

export interface LineFilters {
  busi_type: BusiType | null;
  status: LineStatus | null;
  mine: boolean;
}

interface LinesState extends LineTable {
  phase: 'idle' | 'loading' | 'loaded' | 'failed';
  error: UiError | null;
  filters: LineFilters;
  selectedId: string | null;
  /** Last failed line action (transfer, status, mute), shown on its own line until the next one or dismissed. */
  actionError: (UiError & { line_id: string }) | null;
}

const initialState: LinesState = {
  ...emptyLineTable(),
  phase: 'idle',
  error: null,
  filters: { busi_type: null, status: null, mine: false },
  selectedId: null,
  actionError: null,
};

/** All lines the store knows: filtering and sorting happen in memoised selectors, not on the core. */
export const linesRequested = createAppAsyncThunk('lines/requested', async (_: void, { extra }) =>
  extra.api.invoke('lines.list', {}),
);

export const transferRequested = createAppAsyncThunk(
  'lines/transferRequested',
  async (args: { line_id: string; to: string }, { extra }) => extra.api.invoke('line.transfer', args),
);
export const statusChangeRequested = createAppAsyncThunk(
  'lines/statusChangeRequested',
  async (args: { line_id: string; status: LineStatus }, { extra }) => extra.api.invoke('line.setStatus', args),
);
export const muteRequested = createAppAsyncThunk(
  'lines/muteRequested',
  async (args: { line_id: string; muted: boolean }, { extra }) => extra.api.invoke('line.mute', args),
);

const linesSlice = createSlice({
  name: 'lines',
  initialState,
  reducers: {
    /** `line.updated` from the bus (auto-batched, like every bus event). */
    lineUpdated: {
      reducer(state, action: PayloadAction<LineView>) {
        putLine(state, action.payload);
      },
      prepare: prepareAutoBatched<LineView>(),
    },
    /** `unread.changed` from the bus. */
    unreadChanged: {
      reducer(state, action: PayloadAction<IpcTopicPayload<'unread.changed'>>) {
        const line = lineIn(state, action.payload.line_id);
        if (line) line.unread = action.payload.unread;
      },
      prepare: prepareAutoBatched<IpcTopicPayload<'unread.changed'>>(),
    },
    lineOpened(state, action: PayloadAction<string>) {
      state.selectedId = action.payload;
    },
    lineClosed(state) {
      state.selectedId = null;
    },
    /** The open line was shown to a focused window: its unread count is now zero. */
    lineRead(state, action: PayloadAction<string>) {
      const line = lineIn(state, action.payload);
      if (line) line.unread = 0;
    },
    filtersChanged(state, action: PayloadAction<Partial<LineFilters>>) {
      Object.assign(state.filters, action.payload);
    },
    actionErrorDismissed(state) {
      state.actionError = null;
    },
  },
  extraReducers: (builder) => {
    const lineChanged = (state: LinesState, action: PayloadAction<LineView>) => {
      putLine(state, action.payload);
      state.actionError = null;
    };
    const lineActionFailed = (
      state: LinesState,
      action: { error: { code?: string; message?: string }; meta: { arg: { line_id: string } } },
    ) => {
      state.actionError = { ...uiError(action.error), line_id: action.meta.arg.line_id };
    };
    builder
      .addCase(linesRequested.pending, (state) => {
        state.phase = 'loading';
        state.error = null;
      })
      .addCase(linesRequested.fulfilled, (state, action) => {
        Object.assign(state, lineTableOf(action.payload));
        state.phase = 'loaded';
        if (state.selectedId !== null && !lineIn(state, state.selectedId)) state.selectedId = null;
      })
      .addCase(linesRequested.rejected, (state, action) => {
        state.phase = 'failed';
        state.error = uiError(action.error);
      })
      .addCase(transferRequested.fulfilled, lineChanged)
      .addCase(statusChangeRequested.fulfilled, lineChanged)
      .addCase(muteRequested.fulfilled, lineChanged)
      .addCase(transferRequested.rejected, lineActionFailed)
      .addCase(statusChangeRequested.rejected, lineActionFailed)
      .addCase(muteRequested.rejected, lineActionFailed)
      .addMatcher(
        (action) => messageReceived.match(action) || messageUpdated.match(action),
        (state, action: PayloadAction<LineView['last_message'] & object>) => {
          // The row shows the newest message at once; the core's line.updated follows with the rest.
          const message = action.payload;
          const line = lineIn(state, message.line_id);
          if (!line) return;
          const last = line.last_message;
          if (
            !last ||
            last.key === message.key ||
            (message.random_id !== null && last.random_id === message.random_id) ||
            message.ts >= last.ts
          ) {
            line.last_message = message;
            line.last_message_at = Math.max(line.last_message_at ?? 0, message.ts);
          }
        },
      )
      .addMatcher(isSessionEnded, () => initialState);
  },
});

export const { lineUpdated, unreadChanged, lineOpened, lineClosed, lineRead, filtersChanged, actionErrorDismissed } =
  linesSlice.actions;
export default linesSlice.reducer;
