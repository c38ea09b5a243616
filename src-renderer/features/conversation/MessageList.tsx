import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatDayLabel } from '../../format/intl';
import { useLocale } from '../../i18n/useLocale';
import { selectNow } from '../clock/clockSlice';
import { focusSettled, historyRequested } from './conversationSlice';
import { MessageRow } from './MessageRow';
import { makeSelectConversationRows, selectFocus, selectHistory } from './selectors';

/** Within this many pixels of an edge counts as "at" it. */
const EDGE_PX = 120;
const HIGHLIGHT_MS = 2_500;

/**
 * A line's history, virtualised, newest at the bottom. The virtualiser is end-anchored (TanStack
 * Virtual's chat mode): an older page landing above keeps the message being read where it is, and
 * a new message scrolls into view only if the reader was already at the bottom. Scrolling near
 * the top asks for the previous page.
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

  // The virtualizer is read afresh each render; nothing memoises it (no React Compiler here).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.dayStart != null ? 100 : 64),
    getItemKey: (i) => rows[i]!.key,
    overscan: 8,
    useFlushSync: false,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: EDGE_PX,
  });

  const canLoadOlder = history.loaded && history.more && !history.loading && !history.error;
  // A history too short to fill the view cannot be scrolled up: load the next page right away.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && el.clientHeight > 0 && canLoadOlder && el.scrollHeight <= el.clientHeight + EDGE_PX)
      void dispatch(historyRequested({ line_id: lineId }));
  }, [canLoadOlder, rows, lineId, dispatch]);

  // A search hit or notification asked for this message: bring it to the middle and mark it.
  useEffect(() => {
    if (!focus || focus.line_id !== lineId) return;
    const index = rows.findIndex((r) => r.key === focus.key);
    if (index < 0 && !history.loaded) return;
    dispatch(focusSettled());
    if (index < 0) return;
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
    if (el && el.scrollTop < EDGE_PX && canLoadOlder) void dispatch(historyRequested({ line_id: lineId }));
  };

  const retry = () => void dispatch(historyRequested({ line_id: lineId }));
  const status = history.error
    ? t('conversation.loadFailed')
    : history.loading && history.loaded
      ? t('conversation.loadingOlder')
      : null;
  return (
    <div className="message-pane">
      {status ? (
        <div className="history-status" role="status">
          {status}
          {history.error ? (
            <button type="button" className="link-button" onClick={retry}>
              {t('conversation.retry')}
            </button>
          ) : null}
        </div>
      ) : null}
      {/* Focusable so keyboard users can scroll the history with the arrow and page keys. */}
      <div
        ref={scrollRef}
        className="message-list"
        onScroll={onScroll}
        role="log"
        aria-live="polite"
        aria-label={t('conversation.history')}
        tabIndex={0}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={item.key}
                data-index={item.index}
                data-key={row.key}
                ref={virtualizer.measureElement}
                className="message-slot"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                {item.index === 0 && history.loaded && !history.more ? (
                  <div className="history-top">{t('conversation.start')}</div>
                ) : null}
                {row.dayStart !== null ? (
                  <div className="day-separator" role="separator">
                    <span>{formatDayLabel(row.dayStart, now, locale)}</span>
                  </div>
                ) : null}
                <MessageRow messageKey={row.key} highlighted={row.key === highlighted} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
