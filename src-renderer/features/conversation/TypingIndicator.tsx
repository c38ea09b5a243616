import { useTranslation } from 'react-i18next';
import { useAppSelector } from '../../app/hooks';
import { selectTyping } from './selectors';

export function TypingIndicator({ lineId }: { lineId: string }) {
  const { t } = useTranslation();
  const typing = useAppSelector((s) => selectTyping(s, lineId));
  return (
    <div className="typing-indicator" aria-live="polite">
      {typing ? t('conversation.typing', { name: typing.display_name }) : ''}
    </div>
  );
}
