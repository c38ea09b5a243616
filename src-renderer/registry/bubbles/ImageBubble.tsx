import { memo } from 'react';
import type { z } from 'zod';
import type { ImageContent } from '../../../src-shared/protocol';
import { ServerImage } from './ServerImage';

/** A GIF may be animated and must play in the bubble, so it is the one image not shown as a thumbnail. */
export function bubbleVariant(mime: z.infer<typeof ImageContent>['mime']): 'thumb' | 'full' {
  return mime === 'image/gif' ? 'full' : 'thumb';
}

export const ImageBubble = memo(function ImageBubble({ content }: { content: z.infer<typeof ImageContent> }) {
  return (
    <ServerImage
      className="bubble-image"
      url={content.url}
      width={content.width}
      height={content.height}
      maxWidth={260}
      variant={bubbleVariant(content.mime)}
    />
  );
});
