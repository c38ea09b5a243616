import { useTranslation } from 'react-i18next';
import { useAppSelector } from '../../app/hooks';
import { selectSession } from '../../features/session/sessionSlice';
import { resolveServerImage } from '../media';

/** An image from the signed-in server only; anything else is refused with a visible note. */
export function ServerImage({ url, width, height, maxWidth, className }: { url: string; width?: number; height?: number; maxWidth: number; className?: string }) {
  const { t } = useTranslation();
  const serverUrl = useAppSelector(selectSession)?.server_url ?? null;
  const src = resolveServerImage(url, serverUrl);
  if (!src) return <span className="image-blocked">{t('conversation.imageBlocked')}</span>;
  const scale = width && height ? Math.min(1, maxWidth / width) : 1;
  return (
    <img
      className={className}
      src={src}
      alt=""
      loading="lazy"
      referrerPolicy="no-referrer"
      // Reserve the box before the bytes arrive, so the virtualised history does not jump.
      {...(width && height ? { width: Math.round(width * scale), height: Math.round(height * scale) } : { style: { maxWidth } })}
    />
  );
}
