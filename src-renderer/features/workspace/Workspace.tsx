import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatBadge } from '../../format/intl';
import { useLocale } from '../../i18n/useLocale';
import { ConnectionBanner } from '../connection/ConnectionBanner';
import { ConversationView } from '../conversation/ConversationView';
import { LineFilters } from '../lines/LineFilters';
import { LineList } from '../lines/LineList';
import { selectSelectedLineId, selectTotalUnread } from '../lines/selectors';
import { SearchBox } from '../search/SearchBox';
import { SearchResults } from '../search/SearchResults';
import { selectSearch } from '../search/searchSlice';
import { selectMe, signOutRequested } from '../session/sessionSlice';
import { SettingsPage } from '../settings/SettingsPage';
import { ImageViewer } from '../imageViewer/ImageViewer';
import { HelpOverlay } from '../shortcuts/HelpOverlay';
import { useShortcuts } from '../shortcuts/useShortcuts';
import { helpToggled, selectView, viewChosen } from './workspaceSlice';

export function Workspace() {
  const { t } = useTranslation();
  const locale = useLocale();
  const dispatch = useAppDispatch();
  const view = useAppSelector(selectView);
  const me = useAppSelector(selectMe);
  const unread = useAppSelector(selectTotalUnread);
  const searching = useAppSelector(selectSearch).phase !== 'idle';
  // Narrow windows (small laptops at 150–200 % scaling) show the list or the open line, not both.
  const selectedId = useAppSelector(selectSelectedLineId);
  useShortcuts();
  return (
    <div className="workspace">
      <nav className="sidebar" aria-label={t('app.name')}>
        <button
          type="button"
          className={view === 'inbox' ? 'active' : ''}
          aria-current={view === 'inbox'}
          onClick={() => dispatch(viewChosen('inbox'))}
        >
          <span aria-hidden="true">💬</span>
          <span className="nav-label">{t('nav.inbox')}</span>
          {unread > 0 ? <span className="unread-badge total">{formatBadge(unread, locale)}</span> : null}
        </button>
        <button
          type="button"
          className={view === 'settings' ? 'active' : ''}
          aria-current={view === 'settings'}
          onClick={() => dispatch(viewChosen('settings'))}
        >
          <span aria-hidden="true">⚙️</span>
          <span className="nav-label">{t('nav.settings')}</span>
        </button>
        <button type="button" onClick={() => dispatch(helpToggled())}>
          <span aria-hidden="true">⌨️</span>
          <span className="nav-label">{t('nav.help')}</span>
        </button>
        <div className="sidebar-foot">
          <span className="me">{me?.display_name}</span>
          <button type="button" className="link-button" onClick={() => void dispatch(signOutRequested())}>
            {t('nav.signOut')}
          </button>
        </div>
      </nav>
      <div className="workspace-main">
        <ConnectionBanner />
        {view === 'settings' ? (
          <SettingsPage />
        ) : (
          <div className={selectedId === null ? 'inbox' : 'inbox has-line'}>
            <aside className="list-column">
              <SearchBox />
              {searching ? (
                <SearchResults />
              ) : (
                <>
                  <LineFilters />
                  <LineList />
                </>
              )}
            </aside>
            <ConversationView />
          </div>
        )}
      </div>
      <HelpOverlay />
      <ImageViewer />
    </div>
  );
}
