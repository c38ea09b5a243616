import { createSelector } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store';
import { dayKey } from '../../format/intl';
import { messagesAdapter, type LineHistory } from './conversationSlice';

/**
 * One row per message. A day separator belongs to the row of the first message of its local day,
 * so every row is keyed by a message: the virtualiser can then keep the message being read still
 * while an older page lands above it.
 */
export interface ConversationRow {
  key: string;
  /** Set on the first message of a day: its time, for the separator label. */
  dayStart: number | null;
}

const messageSelectors = messagesAdapter.getSelectors((s: RootState) => s.conversation.messages);
export const selectMessageByKey = messageSelectors.selectById;

const NO_HISTORY: LineHistory = { keys: [], more: true, loading: false, loaded: false, error: null };
export const selectHistory = (s: RootState, lineId: string) => s.conversation.history[lineId] ?? NO_HISTORY;
export const selectDraft = (s: RootState, lineId: string) => s.conversation.drafts[lineId] ?? '';
export const selectTyping = (s: RootState, lineId: string) => s.conversation.typing[lineId] ?? null;
export const selectFocus = (s: RootState) => s.conversation.focus;
/** A refused send shows in its own line's composer, not in whichever line is open next. */
export const selectSendError = (s: RootState, lineId: string) =>
  s.conversation.sendError?.line_id === lineId ? s.conversation.sendError : null;

const sameRows = (a: ConversationRow[], b: ConversationRow[]) =>
  a.length === b.length && a.every((row, i) => row.key === b[i]!.key && row.dayStart === b[i]!.dayStart);

/** The rows of a line's virtualised history. One selector instance per view. */
export function makeSelectConversationRows() {
  return createSelector(
    [
      (s: RootState, lineId: string) => selectHistory(s, lineId).keys,
      (s: RootState) => s.conversation.messages.entities,
    ],
    (keys, entities): ConversationRow[] => {
      const rows: ConversationRow[] = [];
      let lastDay = '';
      for (const key of keys) {
        const message = entities[key];
        if (!message) continue;
        const day = dayKey(message.ts);
        rows.push({ key, dayStart: day === lastDay ? null : message.ts });
        lastDay = day;
      }
      return rows;
    },
    // A message in another line changes `entities`; keep the same rows so this view does not re-render.
    { memoizeOptions: { resultEqualityCheck: sameRows } },
  );
}
