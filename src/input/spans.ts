/** Half-open ranges [start, end) of the paste, to keep one part from being read twice. */
export interface Span {
  start: number;
  end: number;
}

import { lowerBound } from './range-search';

/** Whether `pos` lies in one of `parts`, sorted and disjoint as `coverage` makes them. */
export function insideAny(parts: readonly Span[], pos: number): boolean {
  const part = parts[lowerBound(parts, pos + 1, (s) => s.end)];
  return part !== undefined && part.start <= pos;
}

/** The union of the spans, as sorted disjoint ranges (so a position is looked up, not compared with each). */
export function coverage(spans: readonly Span[]): Span[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ start: s.start, end: s.end });
  }
  return merged;
}

/** The parts of [0, length) that no span covers, in order. */
export function uncovered(spans: readonly Span[], length: number): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const free: Span[] = [];
  let cursor = 0;
  for (const s of sorted) {
    if (s.start > cursor) free.push({ start: cursor, end: s.start });
    cursor = Math.max(cursor, s.end);
  }
  if (cursor < length) free.push({ start: cursor, end: length });
  return free;
}
