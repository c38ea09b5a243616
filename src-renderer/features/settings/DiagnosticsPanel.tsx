import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatDateTime, formatNumber } from '../../format/intl';
import { useLocale } from '../../i18n/useLocale';
import { diagnosticsRequested, selectDiagnostics } from './settingsSlice';

/** Versions, connection state, transport, recent errors and bus traffic, for support calls. */
export function DiagnosticsPanel() {
  const { t } = useTranslation();
  const locale = useLocale();
  const dispatch = useAppDispatch();
  const diagnostics = useAppSelector(selectDiagnostics);
  useEffect(() => {
    void dispatch(diagnosticsRequested());
  }, [dispatch]);
  return (
    <section className="settings-section diagnostics" aria-labelledby="diagnostics-title">
      <h2 id="diagnostics-title">
        {t('settings.diagnostics')}{' '}
        <button type="button" className="link-button" onClick={() => void dispatch(diagnosticsRequested())}>
          {t('settings.refresh')}
        </button>
      </h2>
      {diagnostics ? (
        <dl>
          <dt>{t('settings.versions')}</dt>
          <dd>
            {Object.entries(diagnostics.versions).map(([name, version]) => (
              <span key={name} className="version">
                {name} {version}
              </span>
            ))}
          </dd>
          <dt>{t('settings.connection')}</dt>
          <dd data-testid="diag-status">
            {t(`channel.${diagnostics.channel.status}`)} · {formatDateTime(diagnostics.channel.since, locale)}
          </dd>
          <dt>{t('settings.transport')}</dt>
          <dd>{t(`channel.${diagnostics.channel.transport ?? 'none'}`)}</dd>
          <dt>{t('settings.lastErrors')}</dt>
          <dd>
            {diagnostics.recent_errors.length === 0 ? (
              t('settings.noErrors')
            ) : (
              <ul>
                {diagnostics.recent_errors.map((e, i) => (
                  <li key={i}>
                    {formatDateTime(e.at, locale)} <code>{e.code}</code> {e.message}
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>{t('settings.topics')}</dt>
          <dd>
            {Object.entries(diagnostics.topic_counters).map(([topic, count]) => (
              <span key={topic} className="counter">
                {topic}: {formatNumber(count, locale)}
              </span>
            ))}
          </dd>
        </dl>
      ) : (
        <p>{t('app.loading')}</p>
      )}
    </section>
  );
}
