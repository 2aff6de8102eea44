import { decodeEscape } from './escapes';

/**
 * Reads JSON that was itself stored in a JSON string (`"body":"{\"_error\":…}"`), possibly several layers
 * deep, keeping track of where each character came from so a match can be pointed back at the paste.
 */
export interface UnescapedText {
  text: string;
  /** Index in the paste of `text[i]`; one more entry, for `text.length`, says where reading stopped. */
  toSource(index: number): number;
}

function unescapeOneLayer(src: string, start: number, limit: number, quote: number): { text: string; origin: number[] } {
  const chars: string[] = [];
  const origin: number[] = [];
  let i = start;
  while (i < limit) {
    const c = src.charCodeAt(i);
    // An unescaped quote ends the string this layer lives in; a raw line break cannot be inside one.
    if (c === quote || c === 10) break;
    if (c === 92) {
      const [decoded, width] = decodeEscape(src, i, limit);
      for (const ch of decoded) {
        chars.push(ch);
        origin.push(i);
      }
      i += width;
      continue;
    }
    chars.push(src.charAt(i));
    origin.push(i);
    i++;
  }
  origin.push(i);
  return { text: chars.join(''), origin };
}

/**
 * Undoes `layers` layers of string escaping from `start`. The outermost layer may be a single-quoted string
 * (a Python or JavaScript repr of the body: `'{"_error": …}'`); the inner ones are JSON strings.
 */
export function unescapeLayers(src: string, start: number, limit: number, layers: number, outerQuote: '"' | "'" = '"'): UnescapedText {
  const origins: number[][] = [];
  let text = src;
  for (let layer = 0; layer < layers; layer++) {
    const one =
      layer === 0 ? unescapeOneLayer(text, start, limit, outerQuote.charCodeAt(0)) : unescapeOneLayer(text, 0, text.length, 34);
    origins.push(one.origin);
    text = one.text;
  }
  return {
    text,
    toSource(index: number): number {
      let at = index;
      for (let layer = origins.length - 1; layer >= 0; layer--) {
        const origin = origins[layer] ?? [];
        at = origin[Math.min(Math.max(at, 0), origin.length - 1)] ?? at;
      }
      return at;
    },
  };
}
