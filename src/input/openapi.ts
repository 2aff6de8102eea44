import { matchesIn } from './range-search';

/**
 * A response as an API description states it: `"403": { "description": "Token lacks the required … scope" }`
 * (Front's OpenAPI spec, and docs or code that copy it). The status is the key, the message its description.
 */
export interface ResponseDescription {
  start: number;
  end: number;
  status: number;
  message: string;
}

const RESPONSE_DESCRIPTION =
  /(?<![\w"])"([45]\d\d|301)"[ \t]*:[ \t]*\{\s{0,200}"description"[ \t]*:[ \t]*"((?:[^"\\\n]|\\.){1,500})"/g;
/**
 * Front answers 301 only for a merged conversation, and its spec says so in the description; any other API's
 * "Moved Permanently" is no error.
 */
const MERGED = /\bmerged\b/i;

export function findResponseDescriptions(text: string): ResponseDescription[] {
  return matchesIn(RESPONSE_DESCRIPTION, text)
    .map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
      status: Number(m[1]),
      message: (m[2] ?? '').replace(/\\(.)/g, '$1').trim(),
    }))
    .filter((d) => d.status !== 301 || MERGED.test(d.message));
}
