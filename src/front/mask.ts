const ELLIPSIS = '…';

/**
 * A form of the token safe to show a human: enough to tell two tokens apart, never enough to use one.
 * Very short values show nothing, since two characters of a four-character secret is half of it.
 */
export function maskToken(token: string): string {
  if (token.length >= 12) return `${token.slice(0, 4)}${ELLIPSIS}${token.slice(-4)}`;
  if (token.length > 4) return `${ELLIPSIS}${token.slice(-2)}`;
  return ELLIPSIS;
}

/**
 * Replaces every occurrence of the token in text that came from elsewhere (a response body, a header, an
 * error from the HTTP stack). Front never echoes the token, but an operator-configured base URL could.
 */
export function redactToken(text: string, token: string): string {
  if (token === '' || !text.includes(token)) return text;
  return text.split(token).join(maskToken(token));
}
