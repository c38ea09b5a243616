import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { linesRequested } from './linesSlice';
import { shortcutPressed } from '../shortcuts/commands';
import { LINE_ROW_HEIGHT, LineRow, lineRowId } from './LineRow';
import { selectLinesError, selectLinesPhase, selectSelectedLineId, selectVisibleLineIds } from './selectors';

/** Plain arrows move the selection while the list has focus (Alt+arrows do it from anywhere). */
const LIST_KEYS: Partial<Record<string, 'nextLine' | 'prevLine'>> = { ArrowDown: 'nextLine', ArrowUp: 'prevLine' };

/** The conversation list, virtualised: only the rows on screen (plus a few) exist in the DOM. */
export function LineList() {
  const { t } = useTranslation();
  const ids = useAppSelector(selectVisibleLineIds);
  const selectedId = useAppSelector(selectSelectedLineId);
  const phase = useAppSelector(selectLinesPhase);
  const error = useAppSelector(selectLinesError);
  const dispatch = useAppDispatch();
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer is read afresh each render; nothing memoises it (no React Compiler here).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINE_ROW_HEIGHT,
    // Rows have one fixed height, so positions depend on the index alone: keyed by index, the
    // virtualizer keeps its 10,000 measurements when a line moves (React keys rows by line id below).
    overscan: 6,
    // Rows re-render through React's own batching; flushSync inside effects only earns warnings.
    useFlushSync: false,
  });

  // Keyboard navigation can open a line that is off screen: bring it into view.
  const selectedIndex = selectedId === null ? -1 : ids.indexOf(selectedId);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  return (
    <div className="line-list-wrap">
      <div className="line-count" aria-live="polite">
        {phase === 'loading' && ids.length === 0 ? t('list.loading') : t('list.count', { count: ids.length })}
      </div>
      <div
        ref={scrollRef}
        className="line-list"
        role="listbox"
        aria-label={t('list.label')}
        // Rows are not focusable (the list is virtualised): the list points at the selected one.
        aria-activedescendant={selectedIndex >= 0 ? lineRowId(selectedId!) : undefined}
        tabIndex={0}
        onKeyDown={(e) => {
          const move = e.altKey || e.ctrlKey || e.metaKey ? undefined : LIST_KEYS[e.key];
          if (!move) return;
          e.preventDefault();
          void dispatch(shortcutPressed(move));
        }}
      >
        {ids.length === 0 && phase === 'loaded' ? <p className="empty">{t('list.empty')}</p> : null}
        {phase === 'failed' && error ? (
          <p className="empty" role="alert">
            {t('list.failed', { message: errorText(t, error) })}{' '}
            <button type="button" className="link-button" onClick={() => void dispatch(linesRequested())}>
              {t('conversation.retry')}
            </button>
          </p>
        ) : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => (
            <LineRow
              key={ids[item.index]}
              lineId={ids[item.index]!}
              selected={ids[item.index] === selectedId}
              top={item.start}
            />
          ))}
        </div>
      </div>
    </div>
  );
}
