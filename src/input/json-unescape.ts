import { decodeEscape } from './escapes';
import { charge } from './work';

/**
 * Reads JSON that was itself stored in a JSON string (`"body":"{\"_error\":…}"`), possibly several layers
 * deep, keeping track of where each character came from so a match can be pointed back at the paste.
 */
export interface UnescapedText {
  text: string;
  /**
   * True when every layer was read to the end of what it was given, none stopping at its closing quote or a
   * line break: a larger `limit` could have given more text.
   */
  cut: boolean;
  /** Index in the paste of `text[i]`; one more entry, for `text.length`, says where reading stopped. */
  toSource(index: number): number;
}

/**
 * Where the characters of one unescaped layer came from, as runs: from `out[k]` on, a literal run copies the
 * source from `src[k]` on; an escape's run (`literal[k]` false) all comes from the backslash at `src[k]`.
 * Kept as runs, not one entry per character: a hostile paste asks for thousands of small layers.
 */
interface Origins {
  out: number[];
  src: number[];
  literal: boolean[];
}

function originOf(origins: Origins, index: number): number {
  const { out, src, literal } = origins;
  let low = 0;
  let high = out.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if ((out[mid] as number) <= index) low = mid;
    else high = mid - 1;
  }
  const from = src[low] as number;
  return literal[low] ? from + (index - (out[low] as number)) : from;
}

function unescapeOneLayer(
  src: string,
  start: number,
  limit: number,
  quote: number,
): { text: string; origins: Origins; cut: boolean } {
  const parts: string[] = [];
  const origins: Origins = { out: [0], src: [start], literal: [true] };
  let length = 0;
  let chunkStart = start;
  let i = start;
  while (i < limit) {
    const c = src.charCodeAt(i);
    // An unescaped quote ends the string this layer lives in; a raw line break cannot be inside one.
    if (c === quote || c === 10) break;
    if (c !== 92) {
      i++;
      continue;
    }
    parts.push(src.slice(chunkStart, i));
    length += i - chunkStart;
    const [decoded, width] = decodeEscape(src, i, limit);
    parts.push(decoded);
    origins.out.push(length, length + decoded.length);
    origins.src.push(i, i + width);
    origins.literal.push(false, true);
    length += decoded.length;
    i += width;
    chunkStart = i;
  }
  parts.push(src.slice(chunkStart, i));
  charge(i - start + 1);
  return { text: parts.join(''), origins, cut: i >= limit };
}

/**
 * Undoes `layers` layers of string escaping from `start`. The outermost layer may be a single-quoted string
 * (a Python or JavaScript repr of the body: `'{"_error": …}'`); the inner ones are JSON strings.
 */
export function unescapeLayers(
  src: string,
  start: number,
  limit: number,
  layers: number,
  outerQuote: '"' | "'" = '"',
): UnescapedText {
  const origins: Origins[] = [];
  let text = src;
  let cut = true;
  for (let layer = 0; layer < layers; layer++) {
    const one =
      layer === 0
        ? unescapeOneLayer(text, start, limit, outerQuote.charCodeAt(0))
        : unescapeOneLayer(text, 0, text.length, 34);
    origins.push(one.origins);
    text = one.text;
    cut &&= one.cut;
  }
  const length = text.length;
  return {
    text,
    cut,
    toSource(index: number): number {
      let at = Math.min(Math.max(index, 0), length);
      for (let layer = origins.length - 1; layer >= 0; layer--) at = originOf(origins[layer] as Origins, at);
      return at;
    },
  };
}
