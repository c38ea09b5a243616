import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { CardContent } from '../../../src-shared/protocol';
import { formatMoney } from '../../format/intl';
import { useLocale } from '../../i18n/useLocale';
import { CARD_KINDS } from '../busiTypes';
import { ServerImage } from './ServerImage';

/** A product or order card: hotel room, tour, ticket or order, with its price and state. */
export const CardBubble = memo(function CardBubble({ content }: { content: z.infer<typeof CardContent> }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const kind = CARD_KINDS[content.card_kind];
  return (
    <div className={`bubble-card card-${content.card_kind}`}>
      {content.image_url ? (
        <ServerImage className="card-image" url={content.image_url} maxWidth={96} variant="thumb" />
      ) : (
        <span className="card-icon">{kind.icon}</span>
      )}
      <div className="card-body">
        <span className="card-kind">{t(kind.labelKey)}</span>
        <strong className="card-title">{content.title}</strong>
        {content.subtitle ? <span className="card-subtitle">{content.subtitle}</span> : null}
        {content.price ? (
          <span className="card-price">{formatMoney(content.price.amount, content.price.currency, locale)}</span>
        ) : null}
        {content.order_state ? (
          <span className="card-state">{t('card.orderState', { state: content.order_state })}</span>
        ) : null}
      </div>
    </div>
  );
});
