import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LineView } from '../../../src-shared/ipc';
import { LineStatus } from '../../../src-shared/protocol';
import { errorText } from '../../app/errorText';
import { menuKeyDown } from '../../app/menuKeys';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { actionErrorDismissed, muteRequested, statusChangeRequested, transferRequested } from '../lines/linesSlice';
import { selectLineActionError } from '../lines/selectors';
import { selectMe } from '../session/sessionSlice';
import { selectStaff } from '../staff/staffSlice';

/** Transfer to a colleague, set the status, mute. */
export function LineActions({ line }: { line: LineView }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const staff = useAppSelector(selectStaff);
  const me = useAppSelector(selectMe);
  const error = useAppSelector((s) => selectLineActionError(s, line.line_id));
  const [transferOpen, setTransferOpen] = useState(false);
  const transferButton = useRef<HTMLButtonElement>(null);
  const closeTransfer = () => {
    setTransferOpen(false);
    transferButton.current?.focus();
  };
  const colleagues = staff.filter((m) => m.uid !== line.assignee);
  return (
    <div className="line-actions">
      <div className="transfer">
        <button
          ref={transferButton}
          type="button"
          aria-haspopup="menu"
          aria-expanded={transferOpen}
          onClick={() => setTransferOpen((open) => !open)}
        >
          {t('actions.transfer')}
        </button>
        {transferOpen ? (
          <ul
            className="transfer-menu"
            role="menu"
            aria-label={t('actions.transferTo')}
            onKeyDown={(e) => menuKeyDown(e, closeTransfer)}
          >
            {colleagues.map((m, i) => (
              <li key={m.uid} role="none">
                <button
                  type="button"
                  role="menuitem"
                  autoFocus={i === 0}
                  data-uid={m.uid}
                  onClick={() => {
                    void dispatch(transferRequested({ line_id: line.line_id, to: m.uid }));
                    setTransferOpen(false);
                  }}
                >
                  <span
                    className={`presence ${m.online ? 'online' : 'offline'}`}
                    aria-label={t(m.online ? 'actions.online' : 'actions.offline')}
                  />
                  {m.display_name}
                  {m.uid === me?.uid ? ' ✓' : ''}
                  <small>{t('actions.capacity', { open: m.open_lines, capacity: m.capacity })}</small>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <label className="status-select">
        <span className="sr-only">{t('actions.status')}</span>
        <select
          aria-label={t('actions.status')}
          value={line.status}
          onChange={(e) => {
            const status = LineStatus.safeParse(e.target.value);
            if (status.success) void dispatch(statusChangeRequested({ line_id: line.line_id, status: status.data }));
          }}
        >
          {LineStatus.options.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        aria-pressed={line.muted}
        onClick={() => void dispatch(muteRequested({ line_id: line.line_id, muted: !line.muted }))}
      >
        {line.muted ? t('actions.unmute') : t('actions.mute')}
      </button>
      {error ? (
        <span className="action-error" role="alert" onClick={() => dispatch(actionErrorDismissed())}>
          {t('actions.failed', { message: errorText(t, error) })}
        </span>
      ) : null}
    </div>
  );
}
