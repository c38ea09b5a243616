import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { useAppSelector } from '../../app/hooks';
import type { RootState } from '../../app/store';
import { bannerFor } from './connectionSlice';

const selectConnection = (s: RootState) => s.connection;
const currentSecond = () => Math.floor(Date.now() / 1000);
const everySecond = (onChange: () => void) => {
  const timer = setInterval(onChange, 250);
  return () => clearInterval(timer);
};
const never = () => () => undefined;

/** Offline / reconnecting in N s / long-poll fallback, from the core's channel.state topic. */
export function ConnectionBanner() {
  const { t } = useTranslation();
  const connection = useAppSelector(selectConnection);
  // The countdown is the only thing here that changes by itself: tick each second only while it shows.
  const counting = connection.channel?.status === 'backoff';
  const second = useSyncExternalStore(counting ? everySecond : never, currentSecond);
  const now = counting ? second * 1000 : 0;
  const banner = bannerFor(connection, now);
  if (!banner) return null;
  const text = (() => {
    switch (banner.kind) {
      case 'bridge':
        return t('connection.bridgeDown');
      case 'offline':
        return t('connection.offline');
      case 'connecting':
        return t('connection.connecting');
      case 'backoff':
        return banner.seconds > 0 ? t('connection.backoff', { seconds: banner.seconds }) : t('connection.backoffNow');
      case 'poll':
        return t('connection.poll');
      case 'stopped':
        return t('connection.stopped', { reason: errorText(t, banner.error ?? { code: 'INTERNAL' }) });
    }
  })();
  return (
    <div className={`connection-banner banner-${banner.kind}`} role="status" data-banner={banner.kind}>
      {text}
    </div>
  );
}
