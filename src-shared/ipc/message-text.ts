import type { Content } from '../protocol';
import type { z } from 'zod';
import type { Language } from './contract';

/**
 * How message content reads outside its bubble — the conversation list's preview and the OS
 * notification — in each UI language. The renderer's i18next resources take these objects as they
 * are (same keys, `{{name}}` placeholders), and the core uses them for notifications, so both say the
 * same thing in the language the user chose.
 */
interface MessageTexts {
  preview: { image: string; card: string };
  kindLabel: Record<CardKind, string>;
  system: { line: { assigned: string; transferred: string; transferred_from: string } };
}

type CardKind = Extract<Content, { type: 'card' }>['card_kind'];

export const MESSAGE_TEXT: Readonly<Record<z.infer<typeof Language>, MessageTexts>> = {
  en: {
    preview: { image: '[Image]', card: '[{{kind}}] {{title}}' },
    kindLabel: { room: 'Room', tour: 'Tour', ticket: 'Ticket', order: 'Order' },
    system: {
      line: {
        assigned: '{{staff_name}} is now looking after this conversation',
        transferred: 'This conversation was transferred to {{staff_name}}',
        transferred_from: '{{from_staff_name}} transferred this conversation to {{staff_name}}',
      },
    },
  },
  'zh-CN': {
    preview: { image: '[图片]', card: '[{{kind}}] {{title}}' },
    kindLabel: { room: '房型', tour: '线路', ticket: '门票', order: '订单' },
    system: {
      line: {
        assigned: '{{staff_name}} 接待了此会话',
        transferred: '会话已转给 {{staff_name}}',
        transferred_from: '{{from_staff_name}} 将会话转给了 {{staff_name}}',
      },
    },
  },
};

/** `{{name}}` placeholders filled from `params`; null when one has no value (the caller falls back). */
export function fillText(template: string, params: Readonly<Record<string, string>>): string | null {
  let missing = false;
  const text = template.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? null : text;
}

/**
 * One line of text for a message's content in `language`: text as it is, images and cards by their
 * label, system notices from their code (the `_from` wording when they name who handed over), or
 * the server's own text for a code this build does not know.
 */
export function contentText(content: Content, language: z.infer<typeof Language>): string {
  const texts = MESSAGE_TEXT[language];
  switch (content.type) {
    case 'text':
      return content.text;
    case 'image':
      return texts.preview.image;
    case 'card':
      return fillText(texts.preview.card, { kind: texts.kindLabel[content.card_kind], title: content.title })!;
    case 'system': {
      const [area, event] = content.code.split('.');
      const params = content.params ?? {};
      const group = (texts.system as Readonly<Record<string, Readonly<Record<string, string>> | undefined>>)[
        area ?? ''
      ];
      const template = group?.[params.from_staff_name ? `${event}_from` : (event ?? '')] ?? group?.[event ?? ''];
      return (template && fillText(template, params)) ?? content.text;
    }
  }
}
