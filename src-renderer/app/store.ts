import { combineReducers, configureStore } from '@reduxjs/toolkit';
import clock from '../features/clock/clockSlice';
import connection from '../features/connection/connectionSlice';
import conversation from '../features/conversation/conversationSlice';
import lines from '../features/lines/linesSlice';
import quickReplies from '../features/quickReplies/quickRepliesSlice';
import search from '../features/search/searchSlice';
import session from '../features/session/sessionSlice';
import settings from '../features/settings/settingsSlice';
import staff from '../features/staff/staffSlice';
import workspace from '../features/workspace/workspaceSlice';
import { createListeners } from './listeners';
import type { ThunkExtra } from './thunk';

export const rootReducer = combineReducers({
  session,
  lines,
  conversation,
  connection,
  search,
  quickReplies,
  staff,
  settings,
  workspace,
  clock,
});

export type RootState = ReturnType<typeof rootReducer>;

/** One store per renderer (and per test): the contract and the clock come in from outside. */
export function makeStore(extra: ThunkExtra, preloadedState?: Partial<RootState>) {
  const listeners = createListeners(extra);
  return configureStore({
    reducer: rootReducer,
    preloadedState: { ...preloadedState, clock: preloadedState?.clock ?? { now: extra.now() } },
    middleware: (getDefault) =>
      getDefault({
        thunk: { extraArgument: extra },
        // 10,000 lines make the dev-only checks slow; the state is plain data by construction.
        immutableCheck: false,
        serializableCheck: false,
      }).prepend(listeners.middleware),
    // Bus events (marked auto-batched) that arrive together notify subscribers once, at the end of
    // the task, instead of after each: a message plus its line update is one re-render, not three.
    enhancers: (getDefault) => getDefault({ autoBatch: { type: 'tick' } }),
  });
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];
