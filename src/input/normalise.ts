import { charge } from './work';

/**
 * Undo what travelling through Slack, chat apps and rich-text editors did to a paste, so the readers that
 * follow only ever see plain ASCII punctuation and `\n` line breaks.
 */

const ENTITY_VALUES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  '#39': "'",
  '#x27': "'",
  '#34': '"',
  nbsp: ' ',
};

/*
 * `&amp;lt;` decodes all the way to `<`: Slack escapes a paste that was already escaped (an HTML page, a
 * message quoted twice), and decoding every layer in one pass keeps "Slack-escaping a paste changes nothing"
 * true without looping over the text.
 */
const ENTITY_CHAIN = /&(?:amp;)*(amp|lt|gt|quot|apos|#39|#x27|#34|nbsp);/g;

export function decodeSlackEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY_CHAIN, (_all, name: string) => ENTITY_VALUES[name] ?? '');
}

/** `<https://x|label>` and `<https://x>` as Slack sends links; mailto keeps its label (the address). */
const SLACK_LINK = /<((?:https?|mailto|ftp):[^\s<>|]+)(?:\|([^<>\n]*))?>/g;

export function unwrapSlackLinks(text: string): string {
  if (!text.includes('<')) return text;
  return text.replace(SLACK_LINK, (_all, url: string, label: string | undefined) =>
    url.startsWith('mailto:') && label ? label : url,
  );
}

const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033]/g;
const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032]/g;
const WIDE_SPACES = /[\u00A0\u2007\u202F]/g;
const INVISIBLES = /[\u200B-\u200D\u2060\uFEFF]/g;
const LINE_SEPARATORS = /\r\n?|[\u2028\u2029]/g;

const BEYOND_ASCII = /[\u0080-\uffff]/;

export function straightenTypography(text: string): string {
  // Every character replaced lies beyond ASCII: most pastes have none, and one scan says so.
  if (!BEYOND_ASCII.test(text)) return text;
  return text.replace(DOUBLE_QUOTES, '"').replace(SINGLE_QUOTES, "'").replace(WIDE_SPACES, ' ').replace(INVISIBLES, '');
}

/** A fence may sit on the same line as the JSON it wraps (```{"_error":…}```): it becomes a line break. */
export function dropCodeFences(text: string): string {
  return text.includes('```') ? text.split('```').join('\n') : text;
}

/** A Slack quote puts `> ` before every line; curl -v puts `>` before request lines only, so only a fully quoted paste is unquoted. */
export function unquoteBlockquote(text: string): string {
  if (!/^\s*(?:```[\w-]*\s*)?>/.test(text)) return text;
  const lines = text.split('\n');
  // A fence line around the quote is the code block's, not the quote's.
  const quoted = lines.filter((l) => l.trim() !== '' && !/^\s*```[\w-]*\s*$/.test(l));
  if (quoted.length === 0 || !quoted.every((l) => l.startsWith('>'))) return text;
  return lines.map((l) => l.replace(/^> ?/, '')).join('\n');
}

/** Passes `normalisePaste` makes over the paste, each linear (every pattern above matches at a fixed start). */
const NORMALISE_PASSES = 12;

export function normalisePaste(text: string): string {
  charge(NORMALISE_PASSES * text.length);
  const lines = text.replace(LINE_SEPARATORS, '\n');
  return dropCodeFences(straightenTypography(unwrapSlackLinks(unquoteBlockquote(decodeSlackEntities(lines)))));
}
