/** Line arithmetic on the normalised paste (its line breaks are all `\n`). */
import { lowerBound } from './range-search';
import { charge } from './work';

/*
 * Readers ask for the line around many positions of one long line (a minified log holding thousands of
 * errors); scanning to its ends each time would be quadratic. The positions of the paste's line breaks are
 * found once and searched. Every caller passes the same normalised paste, so one remembered text is enough.
 */
let indexed: { text: string; breaks: number[] } | undefined;

function breaksOf(text: string): number[] {
  if (indexed?.text === text) return indexed.breaks;
  const breaks: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks.push(i);
  charge(text.length);
  indexed = { text, breaks };
  return breaks;
}

const identity = (n: number): number => n;

export function lineStartAt(text: string, pos: number): number {
  if (pos <= 0) return 0;
  const breaks = breaksOf(text);
  // The last break before pos.
  const i = lowerBound(breaks, Math.min(pos, text.length), identity) - 1;
  return i >= 0 ? (breaks[i] as number) + 1 : 0;
}

export function lineEndAt(text: string, pos: number): number {
  const breaks = breaksOf(text);
  const i = lowerBound(breaks, Math.max(pos, 0), identity);
  return i < breaks.length ? (breaks[i] as number) : text.length;
}

export function countNewlines(text: string, from: number, to: number): number {
  if (to <= from) return 0;
  const breaks = breaksOf(text);
  return lowerBound(breaks, to, identity) - lowerBound(breaks, from, identity);
}

export function skipSpace(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  charge(i - pos + 1);
  return i;
}

/** curl -v chatter and code-fence language tags: lines that sit between headers and a body without being either. */
const TRANSPORT_NOISE =
  /^(?:<$|[<>*] |\{ \[|\} \[|(?:json|http|https|bash|sh|shell|console|text|txt|log|html|xml|js|javascript|python|py|ruby|rb|plaintext)$)/i;
/** The longest whole noise line (`javascript`, `plaintext`); anything longer can only be noise by how it starts. */
const LONGEST_NOISE_WORD = 10;
const NOISE_PREFIX = /^(?:[<>*] |\{ \[|\} \[)/;

export function isTransportNoiseLine(trimmedLine: string): boolean {
  charge(Math.min(trimmedLine.length, LONGEST_NOISE_WORD + 1));
  return TRANSPORT_NOISE.test(trimmedLine);
}

/** Whether [from, to) of one line, trimmed, is blank or transport noise; reads its ends only. */
function stretchIsNoise(text: string, first: number, to: number): boolean {
  let last = to;
  while (last > first && /\s/.test(text.charAt(last - 1))) last--;
  charge(to - last + 1);
  if (first >= last) return true;
  if (last - first <= LONGEST_NOISE_WORD) return isTransportNoiseLine(text.slice(first, last));
  return NOISE_PREFIX.test(text.slice(first, first + 3));
}

function firstNonSpace(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && /\s/.test(text.charAt(i))) i++;
  charge(i - from + 1);
  return i;
}

/**
 * For positions in [from, until): is everything in [from, position) blank lines or transport noise? Asked for
 * many positions after one response's headers, so each line is read once, up to the first that is neither.
 */
export function transportNoiseFrom(text: string, from: number, until: number = text.length): (to: number) => boolean {
  let firstReal = until;
  for (let i = from; i < until;) {
    const end = Math.min(lineEndAt(text, i), until);
    if (!stretchIsNoise(text, firstNonSpace(text, i, end), end)) {
      firstReal = i;
      break;
    }
    i = end + 1;
  }
  // Where the text of a line starts, for the lines asked about more than once.
  let textStarts: Map<number, number> | undefined;
  return (to: number): boolean => {
    if (to <= from) return true;
    const lineStart = Math.max(from, lineStartAt(text, to));
    if (lineStart > firstReal) return false;
    textStarts ??= new Map();
    let first = textStarts.get(lineStart);
    if (first === undefined) {
      first = firstNonSpace(text, lineStart, lineEndAt(text, lineStart));
      textStarts.set(lineStart, first);
    }
    return stretchIsNoise(text, Math.min(first, to), to);
  };
}

/** True when every line in [from, to) is blank or transport noise. */
export function onlyTransportNoise(text: string, from: number, to: number): boolean {
  return transportNoiseFrom(text, from, to)(to);
}
