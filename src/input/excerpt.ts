/** Short, single-line quotations of the paste for evidence, with credentials blanked out. */

export const MAX_EXCERPT_CHARS = 300;

const AUTH_SCHEME = /\b(Bearer|Basic)[ \t]+[^\s"',;]+/gi;
const SECRET_PAIR = /\b(authorization|api[_-]?key|access[_-]?token|api[_-]?token|token|password|secret)(["']?[ \t]*(?::|=>|=)[ \t]*["']?)(?:Bearer[ \t]+|Basic[ \t]+)?([^\s"',;}[]+)/gi;
const LONG_WORD = /[A-Za-z0-9_\-.+/=]{24,}/g;
const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

/**
 * A paste is whatever the agent had at hand: curl -v shows the Authorization header, logs print tokens.
 * Nothing derived from it may carry one further (into Slack, logs or the store).
 */
export function redactSecrets(text: string): string {
  const redacted = text
    .replace(AUTH_SCHEME, '$1 [redacted]')
    .replace(SECRET_PAIR, (all, key: string, separator: string, value: string) =>
      /^(?:Bearer|Basic)$/i.test(value) ? all : `${key}${separator}[redacted]`,
    );
  // Every JWT starts with eyJ (base64 of `{"`); most pastes have none, so skip the word scan then.
  return redacted.includes('eyJ') ? redacted.replace(LONG_WORD, (word) => (JWT.test(word) ? '[redacted token]' : word)) : redacted;
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
    .map((p) => p.slice(0, MAX_EXCERPT_CHARS * 4).replace(/\s+/g, ' ').trim())
    .filter((p) => p !== '')
    .join(' … ');
  return truncate(redactSecrets(joined.slice(0, MAX_EXCERPT_CHARS * 4)), MAX_EXCERPT_CHARS);
}
