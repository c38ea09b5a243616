import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import {
  quickRepliesRequested,
  quickReplyRemoved,
  quickReplySaved,
  selectQuickReplies,
  selectQuickReplyError,
  selectQuickReplyListError,
  selectQuickRepliesRemoving,
  selectQuickReplySaving,
} from '../quickReplies/quickRepliesSlice';

/** The merchant's canned answers, kept on the server. */
export function QuickReplyEditor() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const replies = useAppSelector(selectQuickReplies);
  const error = useAppSelector(selectQuickReplyError);
  const listFailed = useAppSelector(selectQuickReplyListError) !== null;
  const saving = useAppSelector(selectQuickReplySaving);
  const removing = useAppSelector(selectQuickRepliesRemoving);
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  return (
    <section className="settings-section" aria-labelledby="quick-replies-title">
      <h2 id="quick-replies-title">{t('settings.quickReplies')}</h2>
      {listFailed ? (
        <p role="alert">
          {t('composer.quickRepliesFailed')}{' '}
          <button type="button" className="link-button" onClick={() => void dispatch(quickRepliesRequested())}>
            {t('conversation.retry')}
          </button>
        </p>
      ) : null}
      <ul className="quick-reply-list">
        {replies.map((q) => (
          <li key={q.id}>
            <strong>{q.title}</strong>
            <span>{q.text}</span>
            <button
              type="button"
              className="link-button"
              disabled={removing.includes(q.id)}
              onClick={() => void dispatch(quickReplyRemoved(q.id))}
            >
              {t('settings.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="quick-reply-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!title.trim() || !text.trim()) return;
          void dispatch(quickReplySaved({ title: title.trim(), text }))
            .unwrap()
            .then(() => (setTitle(''), setText('')))
            .catch(() => undefined); // shown from the store's error
        }}
      >
        <label>
          {t('settings.quickReplyTitle')}
          <input value={title} maxLength={60} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          {t('settings.quickReplyText')}
          <textarea value={text} rows={2} maxLength={4000} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" disabled={saving}>
          {t('settings.add')}
        </button>
        {error ? (
          <span role="alert">
            {t(error.action === 'save' ? 'settings.quickReplySaveFailed' : 'settings.quickReplyRemoveFailed', {
              message: errorText(t, error),
            })}
          </span>
        ) : null}
      </form>
    </section>
  );
}
