import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { menuKeyDown } from '../../app/menuKeys';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import {
  quickRepliesRequested,
  quickReplyChosen,
  selectQuickReplies,
  selectQuickReplyListError,
} from '../quickReplies/quickRepliesSlice';
import { draftEdited, imageSubmitted, replySubmitted, sendErrorDismissed } from './conversationSlice';
import { IMAGE_ACCEPT, readImageFile } from './imageFile';
import { selectDraft, selectSendError } from './selectors';

export const COMPOSER_ID = 'composer-input';

/** Multi-line reply box: Enter sends, Shift+Enter breaks the line; quick replies and images. */
export function Composer({ lineId }: { lineId: string }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const draft = useAppSelector((s) => selectDraft(s, lineId));
  const sendError = useAppSelector((s) => selectSendError(s, lineId));
  const quickReplies = useAppSelector(selectQuickReplies);
  const quickRepliesFailed = useAppSelector(selectQuickReplyListError) !== null;
  const [pickerOpen, setPickerOpen] = useState(false);
  const [imageError, setImageError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const pickerButton = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  // An opened menu takes focus on its first item, so the arrows work at once (WAI-ARIA menu pattern).
  useEffect(() => {
    if (pickerOpen) menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [pickerOpen]);
  const closePicker = () => {
    setPickerOpen(false);
    pickerButton.current?.focus();
  };

  const send = () => {
    if (draft.trim()) void dispatch(replySubmitted({ line_id: lineId, text: draft }));
  };
  const sendImage = (file: File) => {
    setImageError(null);
    readImageFile(file)
      .then((payload) => dispatch(imageSubmitted({ line_id: lineId, file: payload })).unwrap())
      .catch((error: { code?: unknown; message?: string }) => {
        const code = typeof error.code === 'string' ? error.code : 'INTERNAL';
        setImageError(t('composer.imageFailed', { message: errorText(t, { code, message: error.message }) }));
      });
  };

  return (
    <div className="composer">
      {sendError || imageError ? (
        <div
          className="composer-error"
          role="alert"
          onClick={() => (setImageError(null), dispatch(sendErrorDismissed()))}
        >
          {imageError ?? (sendError ? errorText(t, sendError) : null)}
        </div>
      ) : null}
      {pickerOpen ? (
        <div className="quick-reply-picker">
          <ul
            ref={menu}
            role="menu"
            aria-label={t('composer.quickReplies')}
            onKeyDown={(e) => menuKeyDown(e, closePicker)}
          >
            {/* Nothing to choose: the menu says why, as an item that cannot be chosen (ARIA menus hold items only). */}
            {quickRepliesFailed || quickReplies.length === 0 ? (
              <li role="none">
                <span className="empty" role="menuitem" aria-disabled="true" tabIndex={-1}>
                  {t(quickRepliesFailed ? 'composer.quickRepliesFailed' : 'composer.noQuickReplies')}
                </span>
              </li>
            ) : null}
            {quickReplies.map((q) => (
              <li key={q.id} role="none">
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    void dispatch(quickReplyChosen({ line_id: lineId, id: q.id }));
                    setPickerOpen(false);
                    document.getElementById(COMPOSER_ID)?.focus();
                  }}
                >
                  <strong>{q.title}</strong>
                  <span>{q.text}</span>
                </button>
              </li>
            ))}
          </ul>
          {quickRepliesFailed ? (
            <button type="button" className="link-button" onClick={() => void dispatch(quickRepliesRequested())}>
              {t('conversation.retry')}
            </button>
          ) : null}
        </div>
      ) : null}
      <textarea
        id={COMPOSER_ID}
        value={draft}
        rows={3}
        placeholder={t('composer.placeholder')}
        aria-label={t('composer.placeholder')}
        onChange={(e) => dispatch(draftEdited({ line_id: lineId, text: e.target.value }))}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          }
        }}
        onPaste={(e) => {
          const file = Array.from(e.clipboardData.files).find((f) => f.type.startsWith('image/'));
          if (file) {
            e.preventDefault();
            sendImage(file);
          }
        }}
      />
      <div className="composer-tools">
        <button
          ref={pickerButton}
          type="button"
          aria-haspopup="menu"
          aria-expanded={pickerOpen}
          onClick={() => setPickerOpen((open) => !open)}
        >
          {t('composer.quickReplies')}
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          {t('composer.image')}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept={IMAGE_ACCEPT}
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) sendImage(file);
          }}
        />
        <button type="button" className="primary" disabled={!draft.trim()} onClick={send}>
          {t('composer.send')}
        </button>
      </div>
    </div>
  );
}
