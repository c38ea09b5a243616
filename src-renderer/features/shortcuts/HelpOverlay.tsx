import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { helpClosed, selectHelpOpen } from '../workspace/workspaceSlice';
import { displayKeys, SHORTCUTS } from './keymap';
import { isMac } from './useShortcuts';

export function HelpOverlay() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const open = useAppSelector(selectHelpOpen);
  if (!open) return null;
  const mac = isMac();
  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-label={t('shortcuts.title')}
      onClick={() => dispatch(helpClosed())}
      onKeyDown={(e) => e.key === 'Escape' && dispatch(helpClosed())}
    >
      <div className="overlay-panel" onClick={(e) => e.stopPropagation()}>
        <h2>{t('shortcuts.title')}</h2>
        <table className="shortcut-table">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.id}>
                <td>{t(s.labelKey)}</td>
                <td>
                  {displayKeys(s.keys, mac).map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" autoFocus onClick={() => dispatch(helpClosed())}>
          {t('shortcuts.close')}
        </button>
      </div>
    </div>
  );
}
