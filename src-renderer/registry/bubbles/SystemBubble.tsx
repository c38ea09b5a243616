import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { SystemContent } from '../../../src-shared/protocol';
import { systemText } from '../systemText';

export const SystemBubble = memo(function SystemBubble({ content }: { content: z.infer<typeof SystemContent> }) {
  const { t } = useTranslation();
  return <span className="bubble-system">{systemText(content, t)}</span>;
});
