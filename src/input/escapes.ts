/** Backslash escapes as JSON, JavaScript, Python and Ruby string literals write them. */

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };
const HEX4 = /^[0-9a-fA-F]{4}$/;
const HEX2 = /^[0-9a-fA-F]{2}$/;

/** Decodes the escape starting at `src[at]` (a backslash): the text it stands for and how many characters it spans. */
export function decodeEscape(src: string, at: number, limit: number): [string, number] {
  if (at + 1 >= limit) return ['\\', 1];
  const next = src.charAt(at + 1);
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return [simple, 2];
  if (next === 'u' && at + 6 <= limit) {
    const hex = src.slice(at + 2, at + 6);
    if (HEX4.test(hex)) return [String.fromCharCode(parseInt(hex, 16)), 6];
  }
  if (next === 'x' && at + 4 <= limit) {
    const hex = src.slice(at + 2, at + 4);
    if (HEX2.test(hex)) return [String.fromCharCode(parseInt(hex, 16)), 4];
  }
  // Pasted strings never span lines (a line break ends them, see loose-json): the backslash stays literal.
  if (next === '\n') return ['\\', 1];
  return [next, 2];
}
