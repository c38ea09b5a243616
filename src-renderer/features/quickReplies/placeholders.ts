/** The placeholders a quick reply may use, and where their values come from. */
export const PLACEHOLDERS = ['customer_name', 'object_title', 'staff_name'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * Fill `{customer_name}`-style placeholders. Unknown placeholders stay as written, so a typo is
 * visible in the composer before sending rather than silently dropped.
 */
export function fillPlaceholders(text: string, values: Record<Placeholder, string>): string {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name: string) =>
    (PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole,
  );
}

/** Insert a snippet into a draft: on its own line after existing text, nothing extra when empty. */
export function appendToDraft(draft: string, snippet: string): string {
  if (!draft.trim()) return snippet;
  return draft.endsWith('\n') ? draft + snippet : `${draft}\n${snippet}`;
}
