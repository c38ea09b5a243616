import { useTranslation } from 'react-i18next';
import type { LineView } from '../../../src-shared/ipc';
import { BUSI_TYPES, OBJECT_KINDS } from '../../registry/busiTypes';
import { useAppDispatch } from '../../app/hooks';
import { lineClosed } from '../lines/linesSlice';
import { LineActions } from './LineActions';

/** Who the customer is and what the line is about (hotel, tour, ticket, order), plus its actions. */
export function LineHeader({ line }: { line: LineView }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const busi = BUSI_TYPES[line.busi_type];
  const kind = OBJECT_KINDS[line.object.kind];
  return (
    <header className="line-header">
      <div className="line-header-who">
        {/* Shown only where the window is too narrow for the list beside the conversation. */}
        <button type="button" className="line-back" onClick={() => dispatch(lineClosed())}>
          ← {t('conversation.back')}
        </button>
        <h2>{busi.row.title(line)}</h2>
        <span className={`busi-tag busi-${busi.accent}`}>{t(busi.labelKey)}</span>
        <span className={`status status-${line.status}`}>{t(`status.${line.status}`)}</span>
      </div>
      <div className="line-header-object">
        {kind.icon} {t(kind.labelKey)} · {line.object.title}
        <span className="assignee"> · {line.assignee_name ?? t('list.unassigned')}</span>
      </div>
      <LineActions line={line} />
    </header>
  );
}
