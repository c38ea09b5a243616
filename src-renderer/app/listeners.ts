import { createListenerMiddleware, type ListenerMiddlewareInstance } from '@reduxjs/toolkit';
import type { Need } from '../../src-shared/protocol';
import {
  draftEdited,
  draftsRequested,
  historyRequested,
  typingExpired,
  typingReceived,
} from '../features/conversation/conversationSlice';
import { lineRead, linesRequested } from '../features/lines/linesSlice';
import { quickRepliesRequested } from '../features/quickReplies/quickRepliesSlice';
import { diagnosticsRequested, settingsChangeRequested, settingsRequested } from '../features/settings/settingsSlice';
import { sessionRequested } from '../features/session/sessionSlice';
import { staffRequested } from '../features/staff/staffSlice';
import { windowFocusChanged } from '../features/workspace/workspaceSlice';
import type { RootState } from './store';
import type { AppThunkDispatch, ThunkExtra } from './thunk';
import { lineIn } from '../features/lines/lineTable';

/** Outgoing typing notices are sent at most this often per line. */
export const TYPING_SEND_INTERVAL_MS = 3_000;

/** Drafts reach the core's store this long after typing stops. */
export const DRAFT_SAVE_MS = 500;

/** What the request stack (seed 2.1.2) should hold for this state: the list, then the open line. */
export function desiredNeeds(state: RootState): Need[] {
  if (state.session.phase !== 'signedIn') return [];
  const list: Need = {
    view: 'list',
    ...(state.lines.filters.busi_type ? { busi_type: state.lines.filters.busi_type } : {}),
  };
  const selected = state.lines.selectedId;
  return selected === null ? [list] : [list, { view: 'line', line_id: selected }];
}

const sameNeed = (a: Need, b: Need) => a.view === b.view && a.line_id === b.line_id && a.busi_type === b.busi_type;

/**
 * Side effects that follow events: the request stack, read receipts, typing notices, loading
 * what a newly shown view needs. Components only dispatch events; this is where effects live.
 */
export function createListeners(
  extra: ThunkExtra,
): ListenerMiddlewareInstance<RootState, AppThunkDispatch, ThunkExtra> {
  const listeners = createListenerMiddleware<RootState, AppThunkDispatch, ThunkExtra>({
    extra,
    onError: (error) => console.warn('[merchant-im] listener failed', error),
  });
  const start = listeners.startListening.withTypes<RootState, AppThunkDispatch, ThunkExtra>();
  const warn = (what: string) => (error: unknown) => console.warn(`[merchant-im] ${what} failed`, error);

  // The core's stack mirrors ours: pop what differs, push what is new, strictly in order.
  let applied: Need[] = [];
  let needQueue: Promise<unknown> = Promise.resolve();
  start({
    predicate: (_action, current, previous) =>
      current.session.phase !== previous.session.phase ||
      current.lines.selectedId !== previous.lines.selectedId ||
      current.lines.filters.busi_type !== previous.lines.filters.busi_type,
    effect: (_action, api) => {
      const wanted = desiredNeeds(api.getState());
      if (wanted.length === 0) {
        applied = []; // signed out: the core dropped its stack with the session
        return;
      }
      let keep = 0;
      while (keep < applied.length && keep < wanted.length && sameNeed(applied[keep]!, wanted[keep]!)) keep++;
      const pops = applied.length - keep;
      const pushes = wanted.slice(keep);
      applied = wanted;
      needQueue = needQueue
        .then(async () => {
          for (let i = 0; i < pops; i++) await api.extra.api.invoke('need.pop', {});
          for (const need of pushes) await api.extra.api.invoke('need.push', { need });
        })
        .catch(warn('request stack update'));
    },
  });

  // Signed in: load what the workspace shows.
  start({
    predicate: (_action, current, previous) =>
      current.session.phase === 'signedIn' && previous.session.phase !== 'signedIn',
    effect: (_action, api) => {
      void api.dispatch(linesRequested());
      void api.dispatch(staffRequested());
      void api.dispatch(quickRepliesRequested());
      void api.dispatch(settingsRequested());
      void api.dispatch(diagnosticsRequested());
      void api.dispatch(draftsRequested());
    },
  });

  // Unsent text goes to the core's store once typing pauses, so a restart (an update, a crash) loses
  // none. `kept` is what the store holds as far as this run knows; only lines that differ are written.
  let kept: Record<string, string> = {};
  start({
    actionCreator: draftsRequested.fulfilled,
    effect: (action) => {
      kept = { ...action.payload };
    },
  });
  start({
    predicate: (_action, current, previous) =>
      current.session.phase === 'signedIn' && current.conversation.drafts !== previous.conversation.drafts,
    effect: async (_action, api) => {
      api.cancelActiveListeners();
      await api.delay(DRAFT_SAVE_MS);
      const drafts = api.getState().conversation.drafts;
      for (const lineId of new Set([...Object.keys(kept), ...Object.keys(drafts)])) {
        const text = drafts[lineId] ?? '';
        if ((kept[lineId] ?? '') === text) continue;
        await api.extra.api.invoke('draft.set', { line_id: lineId, text }).then(() => {
          if (text) kept[lineId] = text;
          else delete kept[lineId];
        }, warn('draft save'));
      }
    },
  });

  // The browser-mode bridge came back: events were missed while it was down, so ask afresh.
  start({
    predicate: (_action, current, previous) =>
      current.connection.bridge === 'up' && previous.connection.bridge === 'down',
    effect: (_action, api) => {
      void api.dispatch(sessionRequested());
      if (api.getState().session.phase !== 'signedIn') return;
      void api.dispatch(linesRequested());
      void api.dispatch(diagnosticsRequested());
    },
  });

  // Back online: colleagues' presence and load may have changed.
  start({
    predicate: (_action, current, previous) =>
      current.connection.channel?.status === 'online' &&
      previous.connection.channel?.status !== 'online' &&
      current.session.phase === 'signedIn',
    effect: (_action, api) => {
      void api.dispatch(staffRequested());
      // Quick replies live on the server: the first ask at sign-in often comes before the channel is up.
      if (api.getState().quickReplies.listError) void api.dispatch(quickRepliesRequested());
      // A page that failed while the server was out of reach is fetched again, not left as an error.
      const lineId = api.getState().lines.selectedId;
      if (lineId !== null && api.getState().conversation.history[lineId]?.error)
        void api.dispatch(historyRequested({ line_id: lineId }));
    },
  });

  // A newly opened line loads its latest page.
  start({
    predicate: (_action, current, previous) =>
      current.lines.selectedId !== previous.lines.selectedId && current.lines.selectedId !== null,
    effect: (_action, api) => {
      const lineId = api.getState().lines.selectedId;
      if (lineId !== null && !api.getState().conversation.history[lineId]?.loaded)
        void api.dispatch(historyRequested({ line_id: lineId }));
    },
  });

  // Read receipts: an open line in an attended window is read, including messages that arrive while it is open.
  start({
    predicate: (_action, current) => {
      const id = current.lines.selectedId;
      if (id === null || current.workspace.view !== 'inbox') return false;
      if (!current.workspace.window.focused || !current.workspace.window.visible) return false;
      return (lineIn(current.lines, id)?.unread ?? 0) > 0;
    },
    effect: (_action, api) => {
      const id = api.getState().lines.selectedId;
      if (id === null) return;
      api.dispatch(lineRead(id));
      api.extra.api.invoke('line.markRead', { line_id: id }).catch(warn('mark read'));
    },
  });

  // A typing notice fades unless renewed.
  start({
    actionCreator: typingReceived,
    effect: async (action, api) => {
      await api.delay(Math.max(0, action.payload.until - api.extra.now()));
      api.dispatch(typingExpired({ line_id: action.payload.line_id, until: action.payload.until }));
    },
  });

  // Tell the customer we are typing, at most once per interval per line.
  const lastTypingSent = new Map<string, number>();
  start({
    actionCreator: draftEdited,
    effect: (action, api) => {
      if (!action.payload.text.trim()) return;
      const now = api.extra.now();
      if (now - (lastTypingSent.get(action.payload.line_id) ?? -Infinity) < TYPING_SEND_INTERVAL_MS) return;
      lastTypingSent.set(action.payload.line_id, now);
      api.extra.api.invoke('line.typing', { line_id: action.payload.line_id }).catch(warn('typing notice'));
    },
  });

  // The host cannot see the page's focus; the core needs it for the local-push policy.
  start({
    actionCreator: windowFocusChanged,
    effect: (action, api) => {
      api.extra.api.invoke('window.focus', action.payload).catch(warn('window focus report'));
    },
  });

  // A refused settings change was shown optimistically: take the core's truth back.
  start({
    actionCreator: settingsChangeRequested.rejected,
    effect: (_action, api) => {
      void api.dispatch(settingsRequested());
    },
  });

  return listeners;
}
