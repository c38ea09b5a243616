import { createSlice } from '@reduxjs/toolkit';
import type { SearchHit } from '../../../src-shared/ipc';
import type { RootState } from '../../app/store';
import { createAppAsyncThunk, uiError, type UiError } from '../../app/thunk';
import { historyRequested, messageFocused } from '../conversation/conversationSlice';
import { lineOpened } from '../lines/linesSlice';
import { isSessionEnded } from '../session/sessionSlice';

interface SearchState {
  query: string;
  phase: 'idle' | 'loading' | 'done' | 'failed';
  hits: SearchHit[];
  error: UiError | null;
}

const initialState: SearchState = { query: '', phase: 'idle', hits: [], error: null };

/** Full-text search in the local store (FTS5 in the core). */
export const searchSubmitted = createAppAsyncThunk('search/submitted', async (query: string, { extra }) =>
  extra.api.invoke('search', { query, limit: 50 }),
);

/** Most history pages walked back to reach an old hit; beyond that the hit opens at the line's end. */
const MAX_PAGES = 40;

/** Open a hit: open its line, page back until its message is loaded, then bring it into view. */
export const searchHitOpened = createAppAsyncThunk(
  'search/hitOpened',
  async (hit: SearchHit, { dispatch, getState }) => {
    const lineId = hit.message.line_id;
    dispatch(lineOpened(lineId));
    // The line's first page may already be loading (opening a line loads it): wait for it rather than race it.
    for (let pages = 0, waits = 0; pages < MAX_PAGES && waits < 400;) {
      const conversation = getState().conversation;
      const history = conversation.history[lineId];
      if (history?.loaded && !history.loading && (conversation.messages.entities[hit.message.key] || !history.more))
        break;
      if (history?.loading) {
        waits++;
        await new Promise((resolve) => setTimeout(resolve, 25));
      } else {
        pages++;
        await dispatch(historyRequested({ line_id: lineId })).unwrap();
      }
    }
    dispatch(messageFocused({ line_id: lineId, key: hit.message.key }));
  },
);

const searchSlice = createSlice({
  name: 'search',
  initialState,
  reducers: {
    searchCleared() {
      return initialState;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(searchSubmitted.pending, (state, action) => {
        state.query = action.meta.arg;
        state.phase = 'loading';
        state.error = null;
      })
      .addCase(searchSubmitted.fulfilled, (state, action) => {
        if (action.meta.arg !== state.query) return;
        state.phase = 'done';
        state.hits = action.payload;
      })
      .addCase(searchSubmitted.rejected, (state, action) => {
        if (action.meta.arg !== state.query) return;
        state.phase = 'failed';
        state.error = uiError(action.error);
      })
      .addMatcher(isSessionEnded, () => initialState);
  },
});

export const { searchCleared } = searchSlice.actions;
export default searchSlice.reducer;
export const selectSearch = (s: RootState) => s.search;
