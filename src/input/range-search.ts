import { charge } from './work';

/**
 * Every match of a global pattern inside [from, to), with indexes into the whole text. The pattern runs on
 * that stretch alone: running it on the whole text from `from` would scan on past `to` whenever nothing
 * matches, and make lookups over many small stretches quadratic.
 */
export function matchesIn(pattern: RegExp, text: string, from = 0, to = text.length): RegExpExecArray[] {
  const piece = from === 0 && to === text.length ? text : text.slice(from, to);
  charge(piece.length);
  const found: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(piece); m; m = pattern.exec(piece)) {
    if (m[0].length === 0) pattern.lastIndex++;
    m.index += from;
    found.push(m);
  }
  return found;
}

/** First index in `sorted` whose key is >= `value`. */
export function lowerBound<T>(sorted: readonly T[], value: number, key: (item: T) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (key(sorted[mid] as T) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
