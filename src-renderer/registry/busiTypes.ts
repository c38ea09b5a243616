import type { TFunction } from 'i18next';
import type { LineView } from '../../src-shared/ipc';
import type { z } from 'zod';
import type { BusiType, CardContent, ObjectKind as ObjectKindSchema } from '../../src-shared/protocol';

type CardKind = z.infer<typeof CardContent>['card_kind'];
type ObjectKind = z.infer<typeof ObjectKindSchema>;

/** What a line is about (hotel, tour, …): how it is named and marked in the list and the header. */
export const OBJECT_KINDS: Record<ObjectKind, { labelKey: string; icon: string }> = {
  merchant: { labelKey: 'objectKind.merchant', icon: '🏪' },
  hotel: { labelKey: 'objectKind.hotel', icon: '🏨' },
  room: { labelKey: 'objectKind.room', icon: '🛏️' },
  tour: { labelKey: 'objectKind.tour', icon: '🧭' },
  ticket: { labelKey: 'objectKind.ticket', icon: '🎫' },
  order: { labelKey: 'objectKind.order', icon: '🧾' },
};

export const CARD_KINDS: Record<CardKind, { labelKey: string; icon: string }> = {
  room: { labelKey: 'card.kindLabel.room', icon: OBJECT_KINDS.room.icon },
  tour: { labelKey: 'card.kindLabel.tour', icon: OBJECT_KINDS.tour.icon },
  ticket: { labelKey: 'card.kindLabel.ticket', icon: OBJECT_KINDS.ticket.icon },
  order: { labelKey: 'card.kindLabel.order', icon: OBJECT_KINDS.order.icon },
};

export interface BusiTypeEntry {
  labelKey: string;
  /** CSS modifier of the row's type tag. */
  accent: string;
  /** List-item layout: the row's title, and the object line under it (null hides it). */
  row: {
    title: (line: LineView) => string;
    object: (line: LineView, t: TFunction) => string | null;
  };
}

const objectLine = (line: LineView, t: TFunction) =>
  `${OBJECT_KINDS[line.object.kind].icon} ${t(OBJECT_KINDS[line.object.kind].labelKey)} · ${line.object.title}`;

/**
 * The management table of seed 2.3, business-type half: one entry per busi_type. A new business
 * type is a new entry here (and its label in the locale files) — the list, filters and header
 * read only this table.
 */
export const BUSI_TYPES: Record<BusiType, BusiTypeEntry> = {
  private: {
    labelKey: 'busiType.private',
    accent: 'private',
    // A private chat is with the shop itself; naming the shop on every row says nothing.
    row: { title: (l) => l.customer_name, object: (l, t) => (l.object.kind === 'merchant' ? null : objectLine(l, t)) },
  },
  consult: {
    labelKey: 'busiType.consult',
    accent: 'consult',
    row: { title: (l) => l.customer_name, object: objectLine },
  },
  feedback: {
    labelKey: 'busiType.feedback',
    accent: 'feedback',
    row: { title: (l) => l.customer_name, object: objectLine },
  },
};

export const BUSI_TYPE_LIST = Object.keys(BUSI_TYPES) as BusiType[];
