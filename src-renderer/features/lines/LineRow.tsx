import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatBadge, formatListTime, formatWaiting } from '../../format/intl';
import { useLocale } from '../../i18n/useLocale';
import { BUSI_TYPES } from '../../registry/busiTypes';
import { previewOf } from '../../registry/contentTypes';
import { selectNow } from '../clock/clockSlice';
import { lineOpened } from './linesSlice';
import { activityOf, selectLineById, selectMyUid } from './selectors';
import { countsTowardBadge } from '../../../src-shared/ipc';

export const LINE_ROW_HEIGHT = 96;

/** The row's element id, for the list's aria-activedescendant. */
export const lineRowId = (lineId: string) => `line-row-${lineId}`;

/** One row of the conversation list; it subscribes to its own line, so a new message repaints one row. */
export const LineRow = memo(function LineRow({
  lineId,
  selected,
  top,
}: {
  lineId: string;
  selected: boolean;
  top: number;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const dispatch = useAppDispatch();
  const line = useAppSelector((s) => selectLineById(s, lineId));
  const me = useAppSelector(selectMyUid);
  const now = useAppSelector(selectNow);
  if (!line) return null;
  const busi = BUSI_TYPES[line.busi_type];
  const objectLine = busi.row.object(line, t);
  return (
    <div
      id={lineRowId(line.line_id)}
      role="option"
      aria-selected={selected}
      data-line-id={line.line_id}
      className={`line-row${selected ? ' selected' : ''}${line.unread > 0 ? ' has-unread' : ''}${line.muted ? ' muted' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: LINE_ROW_HEIGHT }}
      onClick={() => dispatch(lineOpened(line.line_id))}
    >
      <div className="line-row-top">
        <span className="line-customer">{busi.row.title(line)}</span>
        <span className={`busi-tag busi-${busi.accent}`}>{t(busi.labelKey)}</span>
        <time className="line-time">{formatListTime(activityOf(line), now, locale)}</time>
      </div>
      {objectLine !== null ? <div className="line-object">{objectLine}</div> : null}
      <div className="line-row-middle">
        <span className="line-preview">{previewOf(line.last_message, t)}</span>
        {line.unread > 0 ? (
          <span
            className={`unread-badge${countsTowardBadge(line, me) ? '' : ' quiet'}`}
            aria-label={t('list.unread', { count: line.unread })}
          >
            {formatBadge(line.unread, locale)}
          </span>
        ) : null}
      </div>
      <div className="line-row-bottom">
        {line.waiting_since !== null ? (
          <span className="waiting">
            {t('list.waiting', { duration: formatWaiting(now - line.waiting_since, locale) })}
          </span>
        ) : null}
        <span className="assignee">{line.assignee_name ?? t('list.unassigned')}</span>
        <span className={`status status-${line.status}`}>{t(`status.${line.status}`)}</span>
        {line.muted ? (
          <span className="muted-mark" aria-label={t('actions.muted')}>
            🔕
          </span>
        ) : null}
      </div>
    </div>
  );
});
