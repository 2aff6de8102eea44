import { decodeEscape } from './escapes';
import { charge } from './work';

/**
 * A forgiving reader for the object literals people paste: JSON; JavaScript and util.inspect output (bare
 * keys, single quotes, `'a' +\n 'b'`); Python reprs (True/None); Ruby hashes (`=>`, `:sym`, nil); and JSON a
 * forum mangled (colons lost, inner quotes no longer escaped). It never throws: at the first thing it
 * cannot read it stops and hands back what it had, so a truncated log line still yields its first fields.
 */

export type LooseValue = string | number | boolean | null | undefined | LooseValue[] | LooseObject;
export type LooseObject = Map<string, LooseValue>;

export interface LooseParse {
  value: LooseValue;
  /** Index just past what was read. */
  end: number;
  /** False when reading stopped early (truncated or unreadable input). */
  complete: boolean;
  /**
   * Index just past the last character looked at, which may lie beyond `end`: a string with a stray quote is
   * read to the end of its line to find where it really closes.
   */
  furthest: number;
}

/** Deep enough for any real payload, shallow enough that `{{{{…` cannot exhaust the stack. */
const MAX_DEPTH = 32;

const BACKSLASH = 92;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKTICK = 96;
const NEWLINE = 10;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;
const PLUS = 43;
const ELLIPSIS = 0x2026;

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const KEY_IDENTIFIER = /[A-Za-z_$][\w$-]*/y;
const DIGITS = /\d+/y;

const WORDS: Record<string, boolean | null> = {
  true: true,
  True: true,
  false: false,
  False: false,
  null: null,
  None: null,
  nil: null,
  undefined: null,
};

export function parseLoose(src: string, start: number, limit: number = src.length): LooseParse {
  const reader = new LooseReader(src, start, Math.min(limit, src.length));
  const value = reader.readValue(0);
  const furthest = Math.max(reader.furthest, reader.pos);
  // Each character up to `furthest` is looked at a bounded number of times (a quote's lookahead rereads spaces).
  charge(furthest - start + 1);
  return { value, end: reader.pos, complete: !reader.failed, furthest };
}

function isQuote(c: number): boolean {
  return c === DOUBLE_QUOTE || c === SINGLE_QUOTE || c === BACKTICK;
}

function isIdentifierStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

class LooseReader {
  pos: number;
  failed = false;
  furthest = 0;

  constructor(
    private readonly src: string,
    start: number,
    private readonly limit: number,
  ) {
    this.pos = start;
  }

  readValue(depth: number): LooseValue {
    this.skipSpace();
    if (this.pos >= this.limit) return this.fail();
    const c = this.src.charCodeAt(this.pos);
    this.saw(this.pos + 2);
    if (c === OPEN_BRACE) return this.readObject(depth);
    if (c === OPEN_BRACKET) return this.readArray(depth);
    if (isQuote(c)) return this.readConcatenatedString(c);
    if (c === 45 || (c >= 48 && c <= 57)) return this.readNumber();
    if (c === COLON && isIdentifierStart(this.src.charCodeAt(this.pos + 1))) {
      this.pos++;
      return this.match(IDENTIFIER) ?? this.fail();
    }
    if (isIdentifierStart(c)) {
      const word = this.match(IDENTIFIER) ?? '';
      return Object.prototype.hasOwnProperty.call(WORDS, word) ? WORDS[word] : undefined;
    }
    return this.fail();
  }

  private readObject(depth: number): LooseObject | undefined {
    if (depth >= MAX_DEPTH) return this.fail();
    this.pos++;
    const out: LooseObject = new Map();
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.limit) {
        this.failed = true;
        return out;
      }
      const c = this.src.charCodeAt(this.pos);
      if (c === CLOSE_BRACE) {
        this.pos++;
        return out;
      }
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      // `{"_error":{…,"message":"…"}}`: members a writer elided; the ones after are still read.
      const elided = this.elisionLength();
      if (elided > 0) {
        this.pos += elided;
        continue;
      }
      const key = this.readKey();
      if (key === undefined || this.failed) {
        this.failed = true;
        return out;
      }
      this.skipSpace();
      this.skipSeparator();
      out.set(key, this.readValue(depth + 1));
      if (this.failed) return out;
    }
  }

  private elisionLength(): number {
    if (this.src.charCodeAt(this.pos) === ELLIPSIS) return 1;
    return this.src.startsWith('...', this.pos) ? 3 : 0;
  }

  private readArray(depth: number): LooseValue[] | undefined {
    if (depth >= MAX_DEPTH) return this.fail();
    this.pos++;
    const out: LooseValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.limit) {
        this.failed = true;
        return out;
      }
      const c = this.src.charCodeAt(this.pos);
      if (c === CLOSE_BRACKET) {
        this.pos++;
        return out;
      }
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      out.push(this.readValue(depth + 1));
      if (this.failed) return out;
    }
  }

  private readKey(): string | undefined {
    const c = this.src.charCodeAt(this.pos);
    this.saw(this.pos + 2);
    if (isQuote(c)) return this.readString(c, false);
    if (c === COLON && isIdentifierStart(this.src.charCodeAt(this.pos + 1))) this.pos++;
    return this.match(KEY_IDENTIFIER) ?? this.match(DIGITS);
  }

  /** `:` (JSON, JS, Python), `=>` (Ruby), `=` (key=value logs), or nothing at all (colons a forum ate). */
  private skipSeparator(): void {
    const c = this.src.charCodeAt(this.pos);
    this.saw(this.pos + 2);
    if (c === COLON) this.pos++;
    else if (c === 61) this.pos += this.src.charCodeAt(this.pos + 1) === 62 ? 2 : 1;
  }

  private readConcatenatedString(quote: number): string {
    let text = this.readString(quote, true);
    while (!this.failed) {
      const save = this.pos;
      this.skipSpace();
      if (this.src.charCodeAt(this.pos) !== PLUS) {
        this.pos = save;
        break;
      }
      this.pos++;
      this.skipSpace();
      const next = this.src.charCodeAt(this.pos);
      if (!isQuote(next)) {
        this.pos = save;
        break;
      }
      text += this.readString(next, true);
    }
    return text;
  }

  /**
   * Reads a quoted string. In a value (`repairable`), a quote that is not followed by what may follow a value
   * (`,` `}` `]` …) is taken as an unescaped quote inside the text, which is what forums and smart-quote
   * fixes leave behind. Strings never span lines: if the line ends first, the string ends at its first
   * plausible closing quote, or is cut there if it had none (a truncated paste).
   */
  private readString(quote: number, repairable: boolean): string {
    const src = this.src;
    let i = this.pos + 1;
    let out = '';
    let chunkStart = i;
    let firstClose = -1;
    let textAtFirstClose = '';
    while (i < this.limit) {
      const c = src.charCodeAt(i);
      if (c === BACKSLASH) {
        out += src.slice(chunkStart, i);
        const [decoded, width] = decodeEscape(src, i, this.limit);
        out += decoded;
        i += width;
        chunkStart = i;
        continue;
      }
      if (c === quote) {
        if (!repairable || this.closesValue(i + 1)) {
          this.saw(i + 1);
          this.pos = i + 1;
          return out + src.slice(chunkStart, i);
        }
        if (firstClose < 0) {
          firstClose = i;
          textAtFirstClose = out + src.slice(chunkStart, i);
        }
      } else if (c === NEWLINE) {
        break;
      }
      i++;
    }
    this.saw(i + 1);
    this.failed = true;
    if (firstClose >= 0) {
      this.pos = firstClose + 1;
      return textAtFirstClose;
    }
    this.pos = i;
    return out + src.slice(chunkStart, i);
  }

  private closesValue(from: number): boolean {
    let i = from;
    while (i < this.limit) {
      const c = this.src.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
    this.saw(i + 1);
    if (i >= this.limit) return true;
    const c = this.src.charCodeAt(i);
    return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 41 || c === PLUS || c === 59;
  }

  private readNumber(): number | undefined {
    const text = this.match(NUMBER);
    return text === undefined ? this.fail() : Number(text);
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const m = pattern.exec(this.src);
    this.saw(this.pos + (m ? m[0].length : 0) + 1);
    if (!m || m.index + m[0].length > this.limit) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  private skipSpace(): void {
    while (this.pos < this.limit) {
      const c = this.src.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.pos++;
    }
    // The character that stopped the skip (or the limit, which tells a caller more text was wanted).
    this.saw(this.pos + 1);
  }

  private saw(index: number): void {
    if (index > this.furthest) this.furthest = index;
  }

  private fail(): undefined {
    this.failed = true;
    return undefined;
  }
}
