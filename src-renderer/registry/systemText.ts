import type { TFunction } from 'i18next';
import type { z } from 'zod';
import type { SystemContent } from '../../src-shared/protocol';

/** A system notice in the UI language when we know its code, else the server's own text. */
export function systemText(content: z.infer<typeof SystemContent>, t: TFunction): string {
  // Our keys are "<area>.<event>"; anything else cannot be one and goes straight to the fallback.
  if (!/^[a-z_]+\.[a-z_]+$/.test(content.code)) return content.text;
  return t(`system.${content.code}`, { ...content.params, defaultValue: content.text });
}
