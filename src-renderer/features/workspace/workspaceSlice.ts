import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store';

export type View = 'inbox' | 'settings';

interface WorkspaceState {
  view: View;
  helpOpen: boolean;
  window: { focused: boolean; visible: boolean };
}

const initialState: WorkspaceState = { view: 'inbox', helpOpen: false, window: { focused: true, visible: true } };

const workspaceSlice = createSlice({
  name: 'workspace',
  initialState,
  reducers: {
    viewChosen(state, action: PayloadAction<View>) {
      state.view = action.payload;
    },
    helpToggled(state) {
      state.helpOpen = !state.helpOpen;
    },
    helpClosed(state) {
      state.helpOpen = false;
    },
    windowFocusChanged(state, action: PayloadAction<{ focused: boolean; visible: boolean }>) {
      state.window = action.payload;
    },
  },
});

export const { viewChosen, helpToggled, helpClosed, windowFocusChanged } = workspaceSlice.actions;
export default workspaceSlice.reducer;
export const selectView = (s: RootState) => s.workspace.view;
export const selectHelpOpen = (s: RootState) => s.workspace.helpOpen;
export const selectWindowAttended = (s: RootState) => s.workspace.window.focused && s.workspace.window.visible;
