import { createEntityAdapter, createSlice } from '@reduxjs/toolkit';
import type { QuickReply } from '../../../src-shared/protocol';
import type { RootState } from '../../app/store';
import { createAppAsyncThunk, uiError, type UiError } from '../../app/thunk';
import { draftEdited } from '../conversation/conversationSlice';
import { isSessionEnded } from '../session/sessionSlice';
import { lineIn } from '../lines/lineTable';
import { appendToDraft, fillPlaceholders } from './placeholders';

const quickRepliesAdapter = createEntityAdapter<QuickReply, string>({
  selectId: (q) => q.id,
  sortComparer: (a, b) => a.title.localeCompare(b.title),
});

export const quickRepliesRequested = createAppAsyncThunk('quickReplies/requested', async (_: void, { extra }) =>
  extra.api.invoke('quickReplies.list', {}),
);
// One save and one removal per reply at a time: a double click must not add the reply twice.
export const quickReplySaved = createAppAsyncThunk(
  'quickReplies/saved',
  async (args: { id?: string; title: string; text: string }, { extra }) => extra.api.invoke('quickReplies.put', args),
  { condition: (_args, { getState }) => !getState().quickReplies.saving },
);
export const quickReplyRemoved = createAppAsyncThunk(
  'quickReplies/removed',
  async (id: string, { extra }) => {
    await extra.api.invoke('quickReplies.delete', { id });
    return id;
  },
  { condition: (id, { getState }) => !getState().quickReplies.removing.includes(id) },
);

/** Put a quick reply, placeholders filled for this line, into the line's draft (not sent: staff review it). */
export const quickReplyChosen = createAppAsyncThunk(
  'quickReplies/chosen',
  (args: { line_id: string; id: string }, { getState, dispatch }) => {
    const state = getState();
    const reply = state.quickReplies.entities[args.id];
    const line = lineIn(state.lines, args.line_id);
    if (!reply || !line) return;
    const text = fillPlaceholders(reply.text, {
      customer_name: line.customer_name,
      object_title: line.object.title,
      staff_name: state.session.session?.user?.display_name ?? '',
    });
    dispatch(
      draftEdited({ line_id: args.line_id, text: appendToDraft(state.conversation.drafts[args.line_id] ?? '', text) }),
    );
  },
);

interface QuickRepliesExtra {
  /** Last failed save or removal. */
  error: (UiError & { action: 'save' | 'remove' }) | null;
  saving: boolean;
  /** Ids whose removal is on its way. */
  removing: string[];
  /** The list could not be fetched (the server is asked, so this fails while offline). */
  listError: UiError | null;
}
const initialState = () =>
  quickRepliesAdapter.getInitialState<QuickRepliesExtra>({
    error: null,
    saving: false,
    removing: [],
    listError: null,
  });

const quickRepliesSlice = createSlice({
  name: 'quickReplies',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(quickRepliesRequested.fulfilled, (state, action) => {
        quickRepliesAdapter.setAll(state, action.payload);
        state.listError = null;
      })
      .addCase(quickRepliesRequested.rejected, (state, action) => {
        state.listError = uiError(action.error);
      })
      .addCase(quickReplySaved.pending, (state) => {
        state.saving = true;
        state.error = null;
      })
      .addCase(quickReplySaved.fulfilled, (state, action) => {
        quickRepliesAdapter.setOne(state, action.payload);
        state.saving = false;
      })
      .addCase(quickReplySaved.rejected, (state, action) => {
        state.saving = false;
        state.error = { ...uiError(action.error), action: 'save' };
      })
      .addCase(quickReplyRemoved.pending, (state, action) => {
        state.removing.push(action.meta.arg);
        state.error = null;
      })
      .addCase(quickReplyRemoved.fulfilled, (state, action) => {
        quickRepliesAdapter.removeOne(state, action.payload);
        state.removing = state.removing.filter((id) => id !== action.meta.arg);
      })
      .addCase(quickReplyRemoved.rejected, (state, action) => {
        state.removing = state.removing.filter((id) => id !== action.meta.arg);
        state.error = { ...uiError(action.error), action: 'remove' };
      })
      .addMatcher(isSessionEnded, initialState);
  },
});

export default quickRepliesSlice.reducer;
export const { selectAll: selectQuickReplies } = quickRepliesAdapter.getSelectors((s: RootState) => s.quickReplies);
export const selectQuickReplyError = (s: RootState) => s.quickReplies.error;
export const selectQuickReplySaving = (s: RootState) => s.quickReplies.saving;
export const selectQuickRepliesRemoving = (s: RootState) => s.quickReplies.removing;
export const selectQuickReplyListError = (s: RootState) => s.quickReplies.listError;
