import { charge } from './work';

/**
 * `text` without the run of characters matching `strip` it ends with. A `/[…]+$/` replace does the same, but
 * tries every run in the text as a candidate end and rescans it: quadratic on a long run of spaces that does
 * not end the text.
 */
export function trimEndWhere(text: string, strip: (c: string) => boolean): string {
  let end = text.length;
  while (end > 0 && strip(text.charAt(end - 1))) end--;
  charge(text.length - end + 1);
  return end === text.length ? text : text.slice(0, end);
}

const SPACE = /\s/;

/** What a sentence copied out of a log tends to end with: spaces and the closing marks of the data around it. */
export function isTrailingNoise(c: string): boolean {
  return SPACE.test(c) || c === ',' || c === ';' || c === ')' || c === '}' || c === ']';
}

const OPENER_OF: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * `text` without the noise it ends with (`isTrailingNoise`), except the closing brackets that close one it opened:
 * `Missing required scopes: [rules:write])` keeps its `]` and loses the `)` of the sentence around it.
 */
export function trimTrailingNoise(text: string): string {
  let kept = trimEndWhere(text, isTrailingNoise);
  const removed = text.slice(kept.length);
  if (!/^[)\]}]/.test(removed)) return kept;
  charge(kept.length + removed.length);
  const open: Record<string, number> = { '(': 0, '[': 0, '{': 0 };
  for (const c of kept) {
    if (c in open) open[c] = (open[c] ?? 0) + 1;
    else if (c in OPENER_OF) open[OPENER_OF[c] as string] = (open[OPENER_OF[c] as string] ?? 0) - 1;
  }
  for (const c of removed) {
    const opener = OPENER_OF[c];
    if (opener === undefined || (open[opener] ?? 0) <= 0) break;
    open[opener] = (open[opener] ?? 0) - 1;
    kept += c;
  }
  return kept;
}
