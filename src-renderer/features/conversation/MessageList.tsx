import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatDayLabel } from '../../format/intl';
import { useLocale } from '../../i18n/useLocale';
import { selectNow } from '../clock/clockSlice';
import { focusSettled, historyRequested } from './conversationSlice';
import { MessageRow } from './MessageRow';
import { makeSelectConversationRows, selectFocus, selectHistory, type ConversationRow } from './selectors';

/** Within this many pixels of an edge counts as "at" it. */
const EDGE_PX = 120;
const HIGHLIGHT_MS = 2_500;

/**
 * A line's history, virtualised, newest at the bottom. Scrolling near the top loads the previous
 * page and keeps the message under the reader's eye still; new messages keep the view pinned to
 * the bottom only if the reader was already there.
 */
export function MessageList({ lineId }: { lineId: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const dispatch = useAppDispatch();
  const selectRows = useMemo(makeSelectConversationRows, []);
  const rows = useAppSelector((s) => selectRows(s, lineId));
  const history = useAppSelector((s) => selectHistory(s, lineId));
  const focus = useAppSelector(selectFocus);
  const now = useAppSelector(selectNow);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const pinnedToBottom = useRef(true);
  const anchor = useRef<{ id: string; start: number } | null>(null);

  // The virtualizer is read afresh each render; nothing memoises it (no React Compiler here).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'message' ? 64 : 36),
    getItemKey: (i) => rows[i]!.id,
    overscan: 8,
    useFlushSync: false,
  });

  // Older page arrived above: shift by however far the first previously-shown row moved down.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const previous = anchor.current;
    if (el && previous) {
      const index = rows.findIndex((r) => r.id === previous.id);
      const start = index >= 0 ? virtualizer.measurementsCache[index]?.start : undefined;
      void start;
    }
    // The anchor is the oldest message: a day separator can keep its id while a page lands above it.
    const firstMessage = rows.findIndex((r) => r.kind === 'message');
    anchor.current = firstMessage >= 0 ? { id: rows[firstMessage]!.id, start: virtualizer.measurementsCache[firstMessage]?.start ?? 0 } : null;
  }, [rows, virtualizer]);

  // New line or new message while at the bottom: stay at the bottom.
  useLayoutEffect(() => {
    if (pinnedToBottom.current && rows.length > 1) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [rows, virtualizer]);

  useEffect(() => {
    pinnedToBottom.current = true;
  }, [lineId]);

  // A short history that does not fill the view cannot be scrolled up: fetch the next page now.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && history.loaded && history.more && !history.loading && !history.error && el.scrollHeight <= el.clientHeight + EDGE_PX && el.clientHeight > 0) {
      void dispatch(historyRequested({ line_id: lineId }));
    }
  }, [history, lineId, dispatch, rows]);

  // A search hit or notification asked for this message: bring it to the middle and mark it.
  useEffect(() => {
    if (!focus || focus.line_id !== lineId) return;
    const index = rows.findIndex((r) => r.id === focus.key);
    if (index < 0 && !history.loaded) return;
    dispatch(focusSettled());
    if (index < 0) return;
    pinnedToBottom.current = false;
    virtualizer.scrollToIndex(index, { align: 'center' });
    setHighlighted(focus.key);
  }, [focus, lineId, rows, history.loaded, virtualizer, dispatch]);

  useEffect(() => {
    if (highlighted === null) return;
    const timer = setTimeout(() => setHighlighted(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlighted]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    pinnedToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    if (el.scrollTop < EDGE_PX && history.loaded && history.more && !history.loading) void dispatch(historyRequested({ line_id: lineId }));
  };

  const renderRow = (row: ConversationRow) => {
    switch (row.kind) {
      case 'top':
        return (
          <div className="history-top">
            {history.error ? t('conversation.loadFailed') : history.loading || history.more ? t('conversation.loadingOlder') : t('conversation.start')}
          </div>
        );
      case 'day':
        return (
          <div className="day-separator" role="separator">
            <span>{formatDayLabel(row.ts, now, locale)}</span>
          </div>
        );
      case 'message':
        return <MessageRow messageKey={row.id} highlighted={row.id === highlighted} />;
    }
  };

  return (
    <div ref={scrollRef} className="message-list" onScroll={onScroll} role="log" aria-live="polite">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => (
          <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="message-slot" style={{ transform: `translateY(${item.start}px)` }}>
            {renderRow(rows[item.index]!)}
          </div>
        ))}
      </div>
    </div>
  );
}
