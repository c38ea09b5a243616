import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store';
import type { AppThunk } from '../../app/thunk';

/**
 * "Now" as state, advanced by a ticker, so waiting times and list times are pure selectors of the
 * store and tests set the time exactly. Coarse on purpose: rows show minutes.
 */
const clockSlice = createSlice({
  name: 'clock',
  initialState: { now: 0 },
  reducers: {
    clockTicked(state, action: PayloadAction<number>) {
      state.now = action.payload;
    },
  },
});

export const CLOCK_TICK_MS = 20_000;
export const { clockTicked } = clockSlice.actions;
export default clockSlice.reducer;
export const selectNow = (s: RootState) => s.clock.now;

/** Advance "now" from the injected clock. */
export const clockAdvanced = (): AppThunk => (dispatch, _getState, extra) => {
  dispatch(clockTicked(extra.now()));
};
