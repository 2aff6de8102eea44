import { withoutControls } from '../../controls';
import { scrubSecrets } from '../../log';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/**
 * Slack reads `<…>` as mentions and links (`<!channel>`, `<@U123>`, `<https://evil|front.com>`) and `&` as the
 * start of an entity, in mrkdwn and plain text alike. Anything that came from a user or from Front goes through
 * `escapeText` before it is put into a message, so a paste can never ping anyone or forge a link.
 *
 * Slack already entity-encodes what people type, so the three entities are decoded once first (otherwise a
 * pasted `<` would show as `&lt;`); everything is then encoded again, so nothing raw survives. Anything shaped
 * like a token (a JWT, a bearer value, a Slack token) in a paste is cut out: a reply must never repeat a secret
 * someone pasted by mistake, e.g. in `curl -v` output. Control characters, bidi overrides among them, are dropped.
 */
export function escapeText(text: string): string {
  // A bidi override in a teammate's name would make the answer read differently from what it says.
  const decoded = withoutControls(text).replace(/&(?:amp|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
  return scrubSecrets(decoded).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An https URL in the form Slack's link syntax accepts, or undefined. Characters that would end the link early
 * (`|`, `>`) or start an entity are percent- or entity-encoded; credentials in the URL are refused outright,
 * since `https://front.com@evil.example` is the classic way to make a link look like it goes somewhere else.
 */
export function safeHttpsUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
  return url.href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/&/g, '&amp;');
}

/** `<url|title>` when the URL is https; otherwise the title alone, so a bad rule link never becomes a live one. */
export function slackLink(url: string, title: string): string {
  const safeTitle = escapeText(oneLine(title));
  const safeUrl = safeHttpsUrl(url);
  return safeUrl ? `<${safeUrl}|${safeTitle}>` : safeTitle;
}

/** Inline code for a value that came from elsewhere; backticks inside would end the span early. */
export function inlineCode(text: string): string {
  return `\`${escapeText(oneLine(text).replace(/`/g, "'"))}\``;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Shortens to `max` characters, marking the cut. Applied before escaping so an entity is never cut in half. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
