import { createSlice } from '@reduxjs/toolkit';
import type { IpcArgs, Session } from '../../../src-shared/ipc';
import { createAppAsyncThunk, uiError, type UiError } from '../../app/thunk';
import type { RootState } from '../../app/store';

export type SessionPhase = 'unknown' | 'signedOut' | 'signedIn';

interface SessionState {
  phase: SessionPhase;
  session: Session | null;
  signingIn: boolean;
  error: UiError | null;
}

const initialState: SessionState = { phase: 'unknown', session: null, signingIn: false, error: null };

export const sessionRequested = createAppAsyncThunk('session/requested', async (_: void, { extra }) =>
  extra.api.invoke('session.get', {}),
);
export const signInSubmitted = createAppAsyncThunk(
  'session/signInSubmitted',
  async (args: IpcArgs<'session.signIn'>, { extra }) => extra.api.invoke('session.signIn', args),
);
export const signOutRequested = createAppAsyncThunk('session/signOutRequested', async (_: void, { extra }) =>
  extra.api.invoke('session.signOut', {}),
);

function apply(state: SessionState, session: Session): void {
  state.session = session;
  state.phase = session.signed_in ? 'signedIn' : 'signedOut';
}

const sessionSlice = createSlice({
  name: 'session',
  initialState,
  reducers: {
    /** The core's `session.changed` topic. */
    sessionChanged(state, action: { payload: Session }) {
      apply(state, action.payload);
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(sessionRequested.fulfilled, (state, action) => apply(state, action.payload))
      .addCase(sessionRequested.rejected, (state, action) => {
        state.phase = 'signedOut';
        state.error = uiError(action.error);
      })
      .addCase(signInSubmitted.pending, (state) => {
        state.signingIn = true;
        state.error = null;
      })
      .addCase(signInSubmitted.fulfilled, (state, action) => {
        state.signingIn = false;
        apply(state, action.payload);
      })
      .addCase(signInSubmitted.rejected, (state, action) => {
        state.signingIn = false;
        state.error = uiError(action.error);
      })
      .addCase(signOutRequested.fulfilled, (state, action) => apply(state, action.payload));
  },
});

export const { sessionChanged } = sessionSlice.actions;
export default sessionSlice.reducer;

export const selectSessionPhase = (s: RootState) => s.session.phase;
export const selectSession = (s: RootState) => s.session.session;
export const selectMe = (s: RootState) => s.session.session?.user ?? null;
export const selectSigningIn = (s: RootState) => s.session.signingIn;
export const selectSessionError = (s: RootState) => s.session.error;

/** True for every action that ends the session: the data slices drop what belonged to it. */
export function isSessionEnded(action: unknown): boolean {
  if (sessionChanged.match(action)) return !action.payload.signed_in;
  if (signOutRequested.fulfilled.match(action)) return !action.payload.signed_in;
  return false;
}
