import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { TextContent } from '../../../src-shared/protocol';
import { useAppDispatch } from '../../app/hooks';
import { linkOpened } from '../../features/conversation/conversationSlice';
import { splitLinks } from '../linkify';

/** Message text as React text nodes (never HTML); links open in the system browser via the core. */
export const TextBubble = memo(function TextBubble({ content }: { content: z.infer<typeof TextContent> }) {
  const dispatch = useAppDispatch();
  const { t } = useTranslation();
  return (
    <p className="bubble-text">
      {splitLinks(content.text).map((part, i) =>
        part.kind === 'text' ? (
          part.text
        ) : (
          <a
            key={i}
            href={part.url}
            title={t('conversation.openLink')}
            rel="noopener noreferrer"
            target="_blank"
            onClick={(e) => {
              e.preventDefault();
              void dispatch(linkOpened({ url: part.url }));
            }}
          >
            {part.text}
          </a>
        ),
      )}
    </p>
  );
});
