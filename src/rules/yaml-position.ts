/**
 * Finds where a value sits in YAML text, given the path zod reports (`['when', 'all', 2, 'matches']`).
 * js-yaml returns plain values without node positions, so this scans the text itself. It understands
 * what rule files use: block mappings and sequences (including `- key: value` items and sequences
 * indented level with their key), flow mappings and sequences (`{ a: 1 }`, `[x, y]`), quoted keys and
 * comments. When the path leads somewhere it cannot follow (a missing key, a block scalar), it answers
 * with the deepest part of the path it did find, which is where the author has to look anyway.
 */

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  col: number;
}

type Segment = string | number;

interface Found {
  /** Where the key or item itself starts: what an error points at. */
  at: number;
  /** Where its value starts, or undefined for an empty value. */
  value: number | undefined;
}

export function locate(text: string, path: readonly Segment[]): Position {
  return walk(text, path, false);
}

/** Like `locate`, but where the value itself starts (past `key: ` and an opening quote): for columns inside it. */
export function locateValue(text: string, path: readonly Segment[]): Position {
  return walk(text, path, true);
}

function walk(text: string, path: readonly Segment[], toValue: boolean): Position {
  const doc = new Scanner(text);
  let node = doc.firstContent(0);
  if (node === undefined) return { line: 1, col: 1 };
  let at = node;
  let complete = true;
  for (const segment of path) {
    const found = doc.child(node, segment);
    if (found === undefined || found.value === undefined) {
      if (found !== undefined) at = found.at;
      complete = false;
      break;
    }
    at = found.at;
    node = found.value;
  }
  if (!toValue || !complete) return doc.position(at);
  const quote = text[node];
  return doc.position(quote === '"' || quote === "'" ? node + 1 : node);
}

class Scanner {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (this.lineStarts[lo] ?? 0) + 1 };
  }

  child(node: number, segment: Segment): Found | undefined {
    const ch = this.text[node];
    if (ch === '{') return this.flowMapping(node, String(segment));
    if (ch === '[') return typeof segment === 'number' ? this.flowSequence(node, segment) : undefined;
    if (this.isDash(node)) return typeof segment === 'number' ? this.blockSequence(node, segment) : undefined;
    return this.blockMapping(node, String(segment));
  }

  // ---- block style -----------------------------------------------------------------------------

  private blockMapping(start: number, key: string): Found | undefined {
    const indent = this.column(start);
    for (let offset: number | undefined = start; offset !== undefined; offset = this.nextEntry(offset, indent)) {
      if (this.isDash(offset)) continue; // a sequence level with its key belongs to the previous value
      const entry = this.readKey(offset, false);
      if (entry === undefined) return undefined;
      if (entry.key === key) return { at: offset, value: this.blockValue(entry.after, indent) };
    }
    return undefined;
  }

  private blockSequence(start: number, index: number): Found | undefined {
    const indent = this.column(start);
    let count = 0;
    for (let offset: number | undefined = start; offset !== undefined; offset = this.nextEntry(offset, indent)) {
      if (!this.isDash(offset)) return undefined;
      if (count === index) {
        const value = this.blockValue(offset + 1, indent);
        return { at: value ?? offset, value };
      }
      count++;
    }
    return undefined;
  }

  /** The next line's content at exactly `indent`, skipping deeper lines, blanks and comments. */
  private nextEntry(offset: number, indent: number): number | undefined {
    for (let line = this.lineOf(offset) + 1; line < this.lineStarts.length; line++) {
      const content = this.lineContent(line);
      if (content === undefined) continue;
      const column = this.column(content);
      if (column < indent) return undefined;
      if (column === indent) return content;
    }
    return undefined;
  }

  /** Where the value after a key's colon (or an item's dash) starts: on the same line or below. */
  private blockValue(after: number, parentIndent: number): number | undefined {
    const inline = this.skipProperties(this.skipSpaces(after));
    if (!this.atLineEnd(inline)) return inline;
    for (let line = this.lineOf(after) + 1; line < this.lineStarts.length; line++) {
      const content = this.lineContent(line);
      if (content === undefined) continue;
      const column = this.column(content);
      if (column > parentIndent || (column === parentIndent && this.isDash(content))) return content;
      return undefined;
    }
    return undefined;
  }

  // ---- flow style ------------------------------------------------------------------------------

  private flowMapping(open: number, key: string): Found | undefined {
    let p = this.skipBlank(open + 1);
    while (p < this.text.length && this.text[p] !== '}') {
      const entry = this.readKey(p, true);
      if (entry === undefined) return undefined;
      const value = this.skipBlank(entry.after);
      const hasValue = this.text[value] !== ',' && this.text[value] !== '}';
      if (entry.key === key) return { at: p, value: hasValue ? value : undefined };
      p = this.skipBlank(hasValue ? this.skipFlowValue(value) : value);
      if (this.text[p] !== ',') return undefined;
      p = this.skipBlank(p + 1);
    }
    return undefined;
  }

  private flowSequence(open: number, index: number): Found | undefined {
    let p = this.skipBlank(open + 1);
    for (let count = 0; p < this.text.length && this.text[p] !== ']'; count++) {
      if (count === index) return { at: p, value: p };
      p = this.skipBlank(this.skipFlowValue(p));
      if (this.text[p] !== ',') return undefined;
      p = this.skipBlank(p + 1);
    }
    return undefined;
  }

  private skipFlowValue(p: number): number {
    const ch = this.text[p];
    if (ch === '"' || ch === "'") return this.skipQuoted(p);
    if (ch === '{' || ch === '[') {
      let depth = 0;
      while (p < this.text.length) {
        const c = this.text[p];
        if (c === '"' || c === "'") {
          p = this.skipQuoted(p);
          continue;
        }
        if (c === '{' || c === '[') depth++;
        if (c === '}' || c === ']') depth--;
        p++;
        if (depth === 0) return p;
      }
      return p;
    }
    while (p < this.text.length && !',]}'.includes(this.text[p] ?? '')) p++;
    return p;
  }

  // ---- tokens ----------------------------------------------------------------------------------

  /** Reads `key:` at `p`; `after` is just past the colon. Undefined when `p` does not start a key. */
  private readKey(p: number, flow: boolean): { key: string; after: number } | undefined {
    const ch = this.text[p];
    let key: string;
    let end: number;
    if (ch === '"' || ch === "'") {
      end = this.skipQuoted(p);
      key = unquote(this.text.slice(p, end));
      end = this.skipSpaces(end);
      if (this.text[end] !== ':') return undefined;
      return { key, after: end + 1 };
    }
    end = p;
    while (end < this.text.length) {
      const c = this.text[end];
      if (c === '\n' || (flow && (c === ',' || c === '}'))) return undefined;
      if (c === ':' && this.isSeparator(end + 1, flow)) break;
      if (c === '#' && end > p && /\s/.test(this.text[end - 1] ?? '')) return undefined;
      end++;
    }
    if (end >= this.text.length) return undefined;
    key = this.text.slice(p, end).trim();
    return { key, after: end + 1 };
  }

  private isSeparator(p: number, flow: boolean): boolean {
    const c = this.text[p];
    return (
      c === undefined ||
      c === ' ' ||
      c === '\t' ||
      c === '\n' ||
      c === '\r' ||
      (flow && (c === ',' || c === '}' || c === ']'))
    );
  }

  private skipQuoted(p: number): number {
    const quote = this.text[p];
    let i = p + 1;
    while (i < this.text.length) {
      const c = this.text[i];
      if (quote === '"' && c === '\\') {
        i += 2;
        continue;
      }
      if (c === quote) {
        if (quote === "'" && this.text[i + 1] === "'") {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return i;
  }

  /** Anchors and tags (`&a`, `!!str`) come before a value; the value is what follows. */
  private skipProperties(p: number): number {
    while (this.text[p] === '&' || this.text[p] === '!') {
      while (p < this.text.length && !/\s/.test(this.text[p] ?? '')) p++;
      p = this.skipSpaces(p);
    }
    return p;
  }

  private skipSpaces(p: number): number {
    while (this.text[p] === ' ' || this.text[p] === '\t') p++;
    return p;
  }

  /** Spaces, line breaks and comments inside a flow collection. */
  private skipBlank(p: number): number {
    while (p < this.text.length) {
      const c = this.text[p];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') p++;
      else if (c === '#') while (p < this.text.length && this.text[p] !== '\n') p++;
      else break;
    }
    return p;
  }

  private atLineEnd(p: number): boolean {
    const c = this.text[p];
    return c === undefined || c === '\n' || c === '\r' || c === '#';
  }

  private isDash(p: number): boolean {
    return this.text[p] === '-' && this.isSeparator(p + 1, false);
  }

  private column(offset: number): number {
    return offset - (this.lineStarts[this.lineOf(offset)] ?? 0);
  }

  private lineOf(offset: number): number {
    return this.position(offset).line - 1;
  }

  /** First non-space character of a line, or undefined for a blank or comment-only line. */
  private lineContent(line: number): number | undefined {
    const p = this.skipSpaces(this.lineStarts[line] ?? 0);
    return this.atLineEnd(p) ? undefined : p;
  }

  /** The first content of the document at or after `offset`, past directives and `---`. */
  firstContent(offset: number): number | undefined {
    for (let line = this.lineOf(offset); line < this.lineStarts.length; line++) {
      const p = this.lineContent(line);
      if (p === undefined) continue;
      const rest = this.text.slice(p, p + 3);
      if (this.column(p) === 0 && (this.text[p] === '%' || (rest === '---' && this.isSeparator(p + 3, false)))) {
        const after = this.skipSpaces(p + 3);
        if (rest === '---' && !this.atLineEnd(after)) return after;
        continue;
      }
      return p;
    }
    return undefined;
  }
}

function unquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  if (quoted.startsWith("'")) return body.replace(/''/g, "'");
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return body;
  }
}
