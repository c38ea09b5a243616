import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Diagnostics, Settings } from '../../../src-shared/ipc';
import type { RootState } from '../../app/store';
import { createAppAsyncThunk, uiError, type UiError } from '../../app/thunk';
import { channelStateChanged } from '../connection/connectionSlice';

interface SettingsState {
  settings: Settings | null;
  diagnostics: Diagnostics | null;
  notificationTest: { shown: boolean; reason: string | null } | null;
  error: UiError | null;
}

const initialState: SettingsState = { settings: null, diagnostics: null, notificationTest: null, error: null };

export const settingsRequested = createAppAsyncThunk('settings/requested', async (_: void, { extra }) =>
  extra.api.invoke('settings.get', {}),
);
export const settingsChangeRequested = createAppAsyncThunk(
  'settings/changeRequested',
  async (change: Partial<Settings>, { extra }) => extra.api.invoke('settings.set', change),
);
/** Diagnostics also carry the channel state, which seeds the banner before the first topic event. */
export const diagnosticsRequested = createAppAsyncThunk(
  'settings/diagnosticsRequested',
  async (_: void, { extra, dispatch }) => {
    const diagnostics = await extra.api.invoke('diagnostics.get', {});
    dispatch(channelStateChanged(diagnostics.channel));
    return diagnostics;
  },
);
export const notificationTestRequested = createAppAsyncThunk(
  'settings/notificationTestRequested',
  async (_: void, { extra }) => extra.api.invoke('notifications.test', {}),
);

/** Do-not-disturb presets: how long from now, in ms. */
export const DND_PRESETS = { dnd1h: 3_600_000, dnd8h: 8 * 3_600_000 } as const;

export const dndChosen = createAppAsyncThunk(
  'settings/dndChosen',
  async (preset: keyof typeof DND_PRESETS | 'off', { dispatch, getState, extra }) => {
    const current = getState().settings.settings;
    if (!current) return;
    const dnd_until = preset === 'off' ? null : extra.now() + DND_PRESETS[preset];
    await dispatch(settingsChangeRequested({ notifications: { ...current.notifications, dnd_until } })).unwrap();
  },
);

const settingsSlice = createSlice({
  name: 'settings',
  initialState,
  reducers: {
    /** `settings.changed` from the bus (another window, or the core itself). */
    settingsChanged(state, action: PayloadAction<Settings>) {
      state.settings = action.payload;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(settingsRequested.fulfilled, (state, action) => {
        state.settings = action.payload;
      })
      .addCase(settingsChangeRequested.pending, (state, action) => {
        // Show the change at once; the core's answer (or the failure below) settles it.
        if (state.settings) Object.assign(state.settings, action.meta.arg);
        state.error = null;
      })
      .addCase(settingsChangeRequested.fulfilled, (state, action) => {
        state.settings = action.payload;
      })
      .addCase(settingsChangeRequested.rejected, (state, action) => {
        state.error = uiError(action.error);
      })
      .addCase(diagnosticsRequested.fulfilled, (state, action) => {
        state.diagnostics = action.payload;
      })
      .addCase(notificationTestRequested.fulfilled, (state, action) => {
        state.notificationTest = action.payload;
      });
  },
});

export const { settingsChanged } = settingsSlice.actions;
export default settingsSlice.reducer;
export const selectSettings = (s: RootState) => s.settings.settings;
export const selectLanguage = (s: RootState) => s.settings.settings?.language ?? null;
export const selectDiagnostics = (s: RootState) => s.settings.diagnostics;
export const selectNotificationTest = (s: RootState) => s.settings.notificationTest;
export const selectSettingsError = (s: RootState) => s.settings.error;
