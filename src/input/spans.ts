/** Half-open ranges [start, end) of the paste, to keep one part from being read twice. */
export interface Span {
  start: number;
  end: number;
}

export function insideAny(spans: readonly Span[], pos: number): boolean {
  return spans.some((s) => pos >= s.start && pos < s.end);
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
