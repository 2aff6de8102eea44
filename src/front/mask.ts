import { redactParsedJson, redactSecrets, type RedactOptions } from '../redact';

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
 * Replaces the token in text that came from elsewhere (a response body, a header, an error from the HTTP stack),
 * also when it comes back altered: cut short, changed further on, or only its signature. Front never echoes the
 * token, but an operator-configured base URL could.
 */
export function redactToken(text: string, token: string): string {
  return redactSecrets(text, echoOptions(token));
}

/** The same for a parsed JSON body, whose strings may have held the token JSON-escaped (`\u0065yJ…`). In place. */
export function redactTokenInJson<T>(value: T, token: string): T {
  return redactParsedJson(value, echoOptions(token));
}

function echoOptions(token: string): RedactOptions {
  // Only the token: a body is data, and other JWT-shaped values in it are no secret of ours to cut.
  return { known: [token], shapes: false, knownMask: maskToken(token) };
}
