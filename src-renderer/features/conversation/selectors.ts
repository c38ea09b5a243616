import { createSelector } from '@reduxjs/toolkit';
import type { RootState } from '../../app/store';
import { dayKey } from '../../format/intl';
import { messagesAdapter, type LineHistory } from './conversationSlice';

export type ConversationRow = { kind: 'top'; id: 'top' } | { kind: 'day'; id: string; ts: number } | { kind: 'message'; id: string };

const messageSelectors = messagesAdapter.getSelectors((s: RootState) => s.conversation.messages);
export const selectMessageByKey = messageSelectors.selectById;

const NO_HISTORY: LineHistory = { keys: [], more: true, loading: false, loaded: false, error: null };
export const selectHistory = (s: RootState, lineId: string) => s.conversation.history[lineId] ?? NO_HISTORY;
export const selectDraft = (s: RootState, lineId: string) => s.conversation.drafts[lineId] ?? '';
export const selectTyping = (s: RootState, lineId: string) => s.conversation.typing[lineId] ?? null;
export const selectFocus = (s: RootState) => s.conversation.focus;
export const selectSendError = (s: RootState) => s.conversation.sendError;

const sameRows = (a: ConversationRow[], b: ConversationRow[]) => a.length === b.length && a.every((row, i) => row.id === b[i]!.id);

/**
 * The rows of a line's virtualised history: a top marker (load more / beginning), then messages
 * with a day separator wherever the local calendar day changes. One selector instance per view.
 */
export function makeSelectConversationRows() {
  return createSelector(
    [(s: RootState, lineId: string) => selectHistory(s, lineId).keys, (s: RootState) => s.conversation.messages.entities],
    (keys, entities): ConversationRow[] => {
      const rows: ConversationRow[] = [{ kind: 'top', id: 'top' }];
      let lastDay = '';
      for (const key of keys) {
        const message = entities[key];
        if (!message) continue;
        const day = dayKey(message.ts);
        if (day !== lastDay) {
          rows.push({ kind: 'day', id: `day:${day}`, ts: message.ts });
          lastDay = day;
        }
        rows.push({ kind: 'message', id: key });
      }
      return rows;
    },
    // A message in another line changes `entities`; keep the same rows so this view does not re-render.
    { memoizeOptions: { resultEqualityCheck: sameRows } },
  );
}
