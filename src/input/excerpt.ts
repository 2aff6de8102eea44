import { redactSecrets as redactText } from '../redact';

/** Short, single-line quotations of the paste for evidence, with credentials blanked out. */

export const MAX_EXCERPT_CHARS = 300;

/**
 * A paste is whatever the agent had at hand: curl -v shows the Authorization header, logs print tokens.
 * Nothing derived from it may carry one further (into Slack, logs or the store). Beyond the shapes every
 * output is scrubbed of, a paste's `token=…` / `"api_key": "…"` pairs are blanked too.
 */
export function redactSecrets(text: string): string {
  return redactText(text, { pairs: true });
}

/** Cuts at `max` characters (an ellipsis included) without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/** Whitespace collapsed, secrets redacted, at most 300 characters. */
export function excerpt(...parts: string[]): string {
  // Redact before cutting, so a token cut in half cannot slip through; bound the work first.
  const joined = parts
    .map((p) =>
      p
        .slice(0, MAX_EXCERPT_CHARS * 4)
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((p) => p !== '')
    .join(' … ');
  return truncate(redactSecrets(joined.slice(0, MAX_EXCERPT_CHARS * 4)), MAX_EXCERPT_CHARS);
}
