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
