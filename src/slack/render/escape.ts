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
  return literalMarkers(escapeEntities(text));
}

function escapeEntities(text: string): string {
  // A bidi override in a teammate's name would make the answer read differently from what it says.
  const decoded = withoutControls(text).replace(/&(?:amp|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
  return scrubSecrets(decoded).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * mrkdwn has no escape for its formatting marks: `shared:*, private:*` from a token's scopes would show
 * ", private:" in bold. A mark Slack could read as one (`*`, `_`, `~` not between two letters or digits) is shown
 * with the look-alike character that has no meaning to Slack; one inside a word (`cnv_yo1kg5q`,
 * `teammate_api_access_disabled`) is never a mark and stays, so IDs copied from the message are the real ones.
 * Inline code and code blocks show their text as it is, so what is between backquotes is left alone.
 */
const LOOK_ALIKES: Record<string, string> = { '*': '\u2217', _: '\u02cd', '~': '\u223c' };
const isLetterOrDigit = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

function literalMarkers(text: string): string {
  if (!/[*_~]/.test(text)) return text;
  const parts = text.split('`');
  // Every other part is between backquotes; the last part is code only when a backquote closes it.
  return parts
    .map((part, i) =>
      i % 2 === 1 && i < parts.length - 1
        ? part
        : part.replace(/[*_~]/g, (mark, at: number) =>
            isLetterOrDigit(part[at - 1]) && isLetterOrDigit(part[at + 1]) ? mark : (LOOK_ALIKES[mark] ?? mark),
          ),
    )
    .join('`');
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
  return `\`${escapeEntities(oneLine(text).replace(/`/g, "'"))}\``;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Shortens to `max` characters, marking the cut. Applied before escaping so an entity is never cut in half. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
