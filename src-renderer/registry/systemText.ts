import type { TFunction } from 'i18next';
import type { z } from 'zod';
import type { SystemContent } from '../../src-shared/protocol';

/**
 * A system notice in the UI language when we know its code (and got the names it needs), else the
 * server's own text. A notice that names who handed the line over uses the `_from` wording.
 */
export function systemText(content: z.infer<typeof SystemContent>, t: TFunction): string {
  // Our keys are "<area>.<event>"; anything else cannot be one and goes straight to the fallback.
  if (!/^[a-z_]+\.[a-z_]+$/.test(content.code)) return content.text;
  const params = content.params ?? {};
  const text = t(`system.${content.code}`, {
    ...params,
    ...(params.from_staff_name ? { context: 'from' } : {}),
    defaultValue: content.text,
  });
  return text.includes('{{') ? content.text : text;
}
