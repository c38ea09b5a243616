import { createEntityAdapter, createSlice } from '@reduxjs/toolkit';
import type { StaffMember } from '../../../src-shared/protocol';
import type { RootState } from '../../app/store';
import { createAppAsyncThunk } from '../../app/thunk';
import { isSessionEnded } from '../session/sessionSlice';

const staffAdapter = createEntityAdapter<StaffMember, string>({
  selectId: (m) => m.uid,
  sortComparer: (a, b) => Number(b.online) - Number(a.online) || a.display_name.localeCompare(b.display_name),
});

export const staffRequested = createAppAsyncThunk('staff/requested', async (_: void, { extra }) =>
  extra.api.invoke('staff.list', {}),
);

const staffSlice = createSlice({
  name: 'staff',
  initialState: staffAdapter.getInitialState(),
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(staffRequested.fulfilled, (state, action) => staffAdapter.setAll(state, action.payload))
      .addMatcher(isSessionEnded, () => staffAdapter.getInitialState());
  },
});

export default staffSlice.reducer;
export const { selectAll: selectStaff, selectById: selectStaffMember } = staffAdapter.getSelectors(
  (s: RootState) => s.staff,
);
