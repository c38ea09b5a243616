import type { TFunction } from 'i18next';
import type { ComponentType } from 'react';
import type { ZodType } from 'zod';
import type { LocalMessage } from '../../src-shared/ipc';
import {
  CardContent,
  ImageContent,
  SystemContent,
  TextContent,
  type Content,
  type ContentType,
} from '../../src-shared/protocol';
import { CardBubble } from './bubbles/CardBubble';
import { ImageBubble } from './bubbles/ImageBubble';
import { SystemBubble } from './bubbles/SystemBubble';
import { TextBubble } from './bubbles/TextBubble';
import { CARD_KINDS } from './busiTypes';
import { systemText } from './systemText';

export interface ContentTypeEntry<C extends Content> {
  /** Data shape (the protocol's schema). */
  schema: ZodType<C>;
  /**
   * Bubble layout: `bubble` sits on the sender's side in a speech bubble, `card` is a wide card on
   * the sender's side, `notice` is a centred line with no sender and no delivery state.
   */
  layout: 'bubble' | 'card' | 'notice';
  /** One-line preview for the conversation list and search results. */
  preview: (content: C, t: TFunction) => string;
  Bubble: ComponentType<{ content: C }>;
}

type ContentRegistry = { [K in ContentType]: ContentTypeEntry<Extract<Content, { type: K }>> };

/**
 * The management table of seed 2.3, message half: one entry per content type. The compiler
 * demands an entry for every type in the protocol's Content union, and nothing else in the UI
 * switches on content types.
 */
export const CONTENT_TYPES: ContentRegistry = {
  text: { schema: TextContent, layout: 'bubble', preview: (c) => c.text.replace(/\s+/g, ' '), Bubble: TextBubble },
  image: { schema: ImageContent, layout: 'bubble', preview: (_c, t) => t('preview.image'), Bubble: ImageBubble },
  card: {
    schema: CardContent,
    layout: 'card',
    preview: (c, t) => t('preview.card', { kind: t(CARD_KINDS[c.card_kind].labelKey), title: c.title }),
    Bubble: CardBubble,
  },
  system: { schema: SystemContent, layout: 'notice', preview: systemText, Bubble: SystemBubble },
};

export function contentEntry<C extends Content>(content: C): ContentTypeEntry<C> {
  return CONTENT_TYPES[content.type] as unknown as ContentTypeEntry<C>;
}

/** The list's preview of a line's last message; staff messages are marked as ours. */
export function previewOf(message: LocalMessage | null, t: TFunction): string {
  if (!message) return t('preview.empty');
  const text = contentEntry(message.content).preview(message.content, t);
  return message.sender_role === 'staff' && message.content.type !== 'system' ? t('preview.you', { text }) : text;
}
