import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatDateTime } from '../../format/intl';
import { LANGUAGES, type Language } from '../../i18n';
import { useLocale } from '../../i18n/useLocale';
import { DiagnosticsPanel } from './DiagnosticsPanel';
import { QuickReplyEditor } from './QuickReplyEditor';
import {
  dndChosen,
  notificationTestRequested,
  selectNotificationTest,
  selectSettings,
  selectSettingsError,
  settingsChangeRequested,
} from './settingsSlice';
import { selectNow } from '../clock/clockSlice';

export function SettingsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const dispatch = useAppDispatch();
  const settings = useAppSelector(selectSettings);
  const error = useAppSelector(selectSettingsError);
  const test = useAppSelector(selectNotificationTest);
  const now = useAppSelector(selectNow);
  if (!settings) return <main className="settings">{t('app.loading')}</main>;
  const n = settings.notifications;
  const dndActive = n.dnd_until !== null && n.dnd_until > now;
  const toggle = (
    label: string,
    checked: boolean,
    change: (checked: boolean) => Parameters<typeof settingsChangeRequested>[0],
  ) => (
    <label className="toggle">
      <input
        type="checkbox"
        checked={checked}
        onChange={(e) => void dispatch(settingsChangeRequested(change(e.target.checked)))}
      />
      {label}
    </label>
  );
  return (
    <main className="settings">
      <h1>{t('settings.title')}</h1>
      {error ? <p role="alert">{t('settings.saveFailed', { message: errorText(t, error) })}</p> : null}
      <section className="settings-section" aria-labelledby="notifications-title">
        <h2 id="notifications-title">{t('settings.notifications')}</h2>
        {toggle(t('settings.notificationsEnabled'), n.enabled, (enabled) => ({ notifications: { ...n, enabled } }))}
        {toggle(t('settings.sound'), n.sound, (sound) => ({ notifications: { ...n, sound } }))}
        {toggle(t('settings.flash'), settings.flash_on_message, (flash_on_message) => ({ flash_on_message }))}
        <label>
          {t('settings.dnd')}{' '}
          <select
            value={dndActive ? 'on' : 'off'}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'off' || v === 'dnd1h' || v === 'dnd8h') void dispatch(dndChosen(v));
            }}
          >
            <option value="off">{t('settings.dndOff')}</option>
            {dndActive ? (
              <option value="on">{t('settings.dndUntil', { time: formatDateTime(n.dnd_until!, locale) })}</option>
            ) : null}
            <option value="dnd1h">{t('settings.dnd1h')}</option>
            <option value="dnd8h">{t('settings.dnd8h')}</option>
          </select>
        </label>
        <button type="button" onClick={() => void dispatch(notificationTestRequested())}>
          {t('settings.testNotification')}
        </button>
        {test ? (
          <span className="test-result">
            {test.shown ? t('settings.testShown') : t('settings.testSuppressed', { reason: test.reason ?? '' })}
          </span>
        ) : null}
      </section>
      <section className="settings-section" aria-labelledby="general-title">
        <h2 id="general-title">{t('settings.general')}</h2>
        <label>
          {t('settings.language')}{' '}
          <select
            value={settings.language}
            onChange={(e) => {
              const language = LANGUAGES.find((l) => l === e.target.value);
              if (language) void dispatch(settingsChangeRequested({ language: language satisfies Language }));
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`languageName.${l}`)}
              </option>
            ))}
          </select>
        </label>
        {toggle(t('settings.startAtLogin'), settings.start_at_login, (start_at_login) => ({ start_at_login }))}
        {toggle(t('settings.closeToTray'), settings.close_to_tray, (close_to_tray) => ({ close_to_tray }))}
      </section>
      <QuickReplyEditor />
      <DiagnosticsPanel />
    </main>
  );
}
