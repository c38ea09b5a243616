import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatMessageTime } from '../../format/intl';
import { useLocale } from '../../i18n/useLocale';
import { contentEntry } from '../../registry/contentTypes';
import { deleteRequested, retryRequested } from './conversationSlice';
import { isOutgoing } from './ordering';
import { selectMessageByKey } from './selectors';

const STATE_MARK = { sending: '🕓', sent: '✓', read: '✓✓', failed: '⚠' } as const;

/** One message; its look comes from the content-type registry. */
export const MessageRow = memo(function MessageRow({
  messageKey,
  highlighted,
}: {
  messageKey: string;
  highlighted: boolean;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const dispatch = useAppDispatch();
  const message = useAppSelector((s) => selectMessageByKey(s, messageKey));
  if (!message) return null;
  const entry = contentEntry(message.content);
  const { Bubble } = entry;
  if (entry.layout === 'notice') {
    return (
      <div className={`message notice${highlighted ? ' highlighted' : ''}`} data-key={message.key}>
        <Bubble content={message.content} />
      </div>
    );
  }
  const outgoing = isOutgoing(message);
  return (
    <div
      className={`message ${outgoing ? 'outgoing' : 'incoming'} layout-${entry.layout} state-${message.state}${highlighted ? ' highlighted' : ''}`}
      data-key={message.key}
    >
      <div className="bubble">
        <Bubble content={message.content} />
      </div>
      <div className="message-meta">
        <time>{formatMessageTime(message.ts, locale)}</time>
        {outgoing ? (
          <span className="delivery" data-state={message.state} title={t(`conversation.state.${message.state}`)}>
            {STATE_MARK[message.state]} {t(`conversation.state.${message.state}`)}
          </span>
        ) : null}
        {message.state === 'failed' && message.random_id ? (
          <>
            {message.error ? <span className="delivery-error">{errorText(t, message.error)}</span> : null}
            <button
              type="button"
              className="link-button"
              onClick={() => void dispatch(retryRequested({ random_id: message.random_id! }))}
            >
              {t('conversation.retry')}
            </button>
            <button
              type="button"
              className="link-button"
              onClick={() => void dispatch(deleteRequested({ random_id: message.random_id! }))}
            >
              {t('conversation.delete')}
            </button>
          </>
        ) : null}
      </div>
    </div>
  );
});
