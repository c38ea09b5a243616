import { useTranslation } from 'react-i18next';
import { resolveServerImage } from '../media';
import { useServerImage, type ImageVariant } from '../useServerImage';

/** An image from the signed-in server only; anything else is refused with a visible note. */
export function ServerImage({
  url,
  width,
  height,
  maxWidth,
  className,
  variant = 'full',
}: {
  url: string;
  width?: number;
  height?: number;
  maxWidth: number;
  className?: string;
  /** `thumb` for a small bubble; the box still comes from the full image's width and height. */
  variant?: ImageVariant;
}) {
  const { t } = useTranslation();
  const path = resolveServerImage(url);
  const image = useServerImage(path, variant);
  if (!path) return <span className="image-blocked">{t('conversation.imageBlocked')}</span>;
  if (image.status === 'failed')
    return (
      <span className="image-blocked" title={image.message}>
        {t('conversation.imageUnavailable')}
      </span>
    );
  const scale = width && height ? Math.min(1, maxWidth / width) : 1;
  // Reserve the box before the bytes arrive, so the virtualised history does not jump.
  const box = width && height ? { width: Math.round(width * scale), height: Math.round(height * scale) } : null;
  if (image.status === 'loading')
    return (
      <span
        className={className}
        role="img"
        aria-busy="true"
        style={{
          display: 'inline-block',
          width: box?.width ?? maxWidth,
          height: box?.height ?? maxWidth,
          background: 'rgba(127, 127, 127, 0.12)',
        }}
      />
    );
  return (
    <img
      className={className}
      src={image.src}
      alt=""
      referrerPolicy="no-referrer"
      {...(box ?? { style: { maxWidth } })}
    />
  );
}
