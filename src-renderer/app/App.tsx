import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { clockAdvanced, CLOCK_TICK_MS } from '../features/clock/clockSlice';
import { sessionRequested, selectSessionPhase } from '../features/session/sessionSlice';
import { SignIn } from '../features/session/SignIn';
import { selectLanguage, settingsRequested } from '../features/settings/settingsSlice';
import { Workspace } from '../features/workspace/Workspace';
import { windowFocusChanged } from '../features/workspace/workspaceSlice';
import { useAppDispatch, useAppSelector } from './hooks';

/** Keeps the UI language in step with the settings (which the core owns). */
function useLanguageFromSettings(): void {
  const language = useAppSelector(selectLanguage);
  const { i18n } = useTranslation();
  useEffect(() => {
    if (language && i18n.language !== language) void i18n.changeLanguage(language);
    document.documentElement.lang = i18n.language;
  }, [language, i18n]);
}

/** The page's own state that the core cannot see: time passing, focus and visibility. */
function usePageEvents(): void {
  const dispatch = useAppDispatch();
  useEffect(() => {
    const tick = setInterval(() => dispatch(clockAdvanced()), CLOCK_TICK_MS);
    const report = () =>
      dispatch(windowFocusChanged({ focused: document.hasFocus(), visible: document.visibilityState === 'visible' }));
    report();
    window.addEventListener('focus', report);
    window.addEventListener('blur', report);
    document.addEventListener('visibilitychange', report);
    return () => {
      clearInterval(tick);
      window.removeEventListener('focus', report);
      window.removeEventListener('blur', report);
      document.removeEventListener('visibilitychange', report);
    };
  }, [dispatch]);
}

export function App() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const phase = useAppSelector(selectSessionPhase);
  useEffect(() => {
    void dispatch(sessionRequested());
    void dispatch(settingsRequested());
  }, [dispatch]);
  useLanguageFromSettings();
  usePageEvents();
  if (phase === 'unknown') return <div className="splash">{t('app.loading')}</div>;
  return phase === 'signedIn' ? <Workspace /> : <SignIn />;
}
