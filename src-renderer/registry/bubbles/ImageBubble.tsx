import { memo } from 'react';
import type { z } from 'zod';
import type { ImageContent } from '../../../src-shared/protocol';
import { ServerImage } from './ServerImage';

export const ImageBubble = memo(function ImageBubble({ content }: { content: z.infer<typeof ImageContent> }) {
  return (
    <ServerImage
      className="bubble-image"
      url={content.url}
      width={content.width}
      height={content.height}
      maxWidth={260}
    />
  );
});
