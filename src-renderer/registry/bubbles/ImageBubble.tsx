import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { ImageContent } from '../../../src-shared/protocol';
import { openImageViewer } from '../../features/imageViewer/viewerStore';
import { resolveServerImage } from '../media';
import { ServerImage } from './ServerImage';

/** A GIF may be animated and must play in the bubble, so it is the one image not shown as a thumbnail. */
export function bubbleVariant(mime: z.infer<typeof ImageContent>['mime']): 'thumb' | 'full' {
  return mime === 'image/gif' ? 'full' : 'thumb';
}

/** A thumbnail that opens the full image in the viewer (a button, so Enter and Space open it too). */
export const ImageBubble = memo(function ImageBubble({ content }: { content: z.infer<typeof ImageContent> }) {
  const { t } = useTranslation();
  const image = (
    <ServerImage
      className="bubble-image"
      url={content.url}
      width={content.width}
      height={content.height}
      maxWidth={260}
      variant={bubbleVariant(content.mime)}
    />
  );
  if (!resolveServerImage(content.url)) return image;
  return (
    <button
      type="button"
      className="bubble-image-open"
      aria-label={t('imageViewer.open')}
      onClick={(e) => openImageViewer(content, e.currentTarget)}
    >
      {image}
    </button>
  );
});
