import { useTranslation } from 'react-i18next';
import { useAppSelector } from '../../app/hooks';
import { selectSelectedLine } from '../lines/selectors';
import { Composer } from './Composer';
import { LineHeader } from './LineHeader';
import { MessageList } from './MessageList';
import { TypingIndicator } from './TypingIndicator';

export function ConversationView() {
  const { t } = useTranslation();
  const line = useAppSelector(selectSelectedLine);
  if (!line) return <section className="conversation empty-conversation">{t('conversation.none')}</section>;
  return (
    <section className="conversation" aria-label={line.customer_name}>
      <LineHeader line={line} />
      {/* Siblings need distinct keys: one line id for both would make React match them to each other. */}
      <MessageList key={`history:${line.line_id}`} lineId={line.line_id} />
      <TypingIndicator lineId={line.line_id} />
      {/* Keyed: an image error or an open picker belongs to the line it happened on. */}
      <Composer key={`composer:${line.line_id}`} lineId={line.line_id} />
    </section>
  );
}
