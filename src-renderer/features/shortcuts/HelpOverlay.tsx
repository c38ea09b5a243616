import { useCallback, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { useModalFocus } from '../../app/useModalFocus';
import { helpClosed, selectHelpOpen } from '../workspace/workspaceSlice';
import { displayKeys, SHORTCUTS, shortcutFor } from './keymap';
import { isMac } from './useShortcuts';

function HelpDialog() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const dialog = useRef<HTMLDivElement>(null);
  const mac = isMac();
  const close = useCallback(() => dispatch(helpClosed()), [dispatch]);
  // The modal keeps keys from the page's shortcuts, so the one that opened the overlay closes it here.
  useModalFocus(dialog, { close, closesOn: (e) => shortcutFor(e, false, mac)?.id === 'help' });
  return (
    <div
      ref={dialog}
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-label={t('shortcuts.title')}
      tabIndex={-1}
      onClick={close}
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
        <button type="button" onClick={close}>
          {t('shortcuts.close')}
        </button>
      </div>
    </div>
  );
}

/** The keyboard shortcuts, listed in a modal dialog; `?` or the sidebar's button opens it. */
export function HelpOverlay() {
  const open = useAppSelector(selectHelpOpen);
  return open ? <HelpDialog /> : null;
}
