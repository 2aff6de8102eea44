/**
 * The one secret redactor. Logs, activity lines, evidence quoted from a paste, Front's answers and everything the
 * CLI prints pass their text through here, so what counts as a secret is decided in one place:
 *
 * - JWTs (every Front API token is one) wherever they start, even glued to other characters
 *   (`FRONT_TOKEN=eyJ…`, `…/eyJ…`, `eyJ….`), with their first character JSON-escaped (`\u0065yJ…`), and split by
 *   the line breaks of a wrapped log or terminal (`eyJ…\n…signature`);
 * - the value after `Bearer`, or after `Basic` when it decodes as a `user:password` pair; Slack tokens (`xoxb-…`,
 *   `xapp-…`);
 * - with `known`, a secret known by value (the token in use) and its altered forms: anything that starts like it
 *   (its first 20 characters; for a JWT, all but its signature) whatever follows, cut short or changed, and a
 *   JWT's signature on its own, whole or cut short; a value shorter than 8 characters only where it stands apart
 *   from letters and digits, since inside a word it is far likelier to be the word (`tok` in "token");
 * - with `pairs`, the value in `token=…`, `password: …`, `"api_key": "…"` (for pastes, where such pairs are common).
 *
 * It is one left-to-right scan that never re-reads more than a bounded stretch, so its cost is linear in the text:
 * input built to make regular expressions backtrack (`-eyJ` repeated) costs no more than any other text.
 * `redactCounting` reports the characters it read, which is how the tests hold it to that.
 */

export const REDACTED_TOKEN = '[redacted token]';
export const REDACTED = '[redacted]';

export interface RedactOptions {
  /** Secrets known by value. */
  known?: readonly (string | undefined)[];
  /** What replaces a known secret; `[redacted token]` unless given (e.g. a masked form a human can recognise). */
  knownMask?: string;
  /** Recognise secrets by their shape (JWT, Bearer/Basic value, Slack token). On unless false. */
  shapes?: boolean;
  /** Also redact the value of `token=`, `password:`, `api_key:`… pairs. */
  pairs?: boolean;
}

/** How many characters of a long known secret identify it. */
const KNOWN_PREFIX = 20;
/** A known secret shorter than this is redacted only where no letter or digit touches it. */
const MIN_IN_WORD = 8;
/** A JWT's first segment is at least `{"a":1}` encoded; its second at least a few characters. */
const MIN_JWT_HEADER = 10;
const MIN_JWT_PAYLOAD = 6;
const MIN_SCHEME_VALUE = 8;
const MIN_SLACK_TAIL = 6;
const SCHEMES = ['bearer', 'basic'];
/** Longest first where one is a prefix of another; each starts with a, t, p or s (the scan checks that first). */
const PAIR_KEYS = [
  'authorization',
  'access_token',
  'access-token',
  'accesstoken',
  'api_token',
  'api-token',
  'apitoken',
  'api_key',
  'api-key',
  'apikey',
  'password',
  'secret',
  'token',
];

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isWord = (c: number) => isDigit(c) || isLetter(c) || c === 95;
/** isWord as a table, for the scan's pass over characters that start nothing. */
const WORD_CHARS = Uint8Array.from({ length: 128 }, (_v, c) => (isWord(c) ? 1 : 0));
/** Any script's letters and digits: `tok` inside "tokén" is part of that word too. */
const isLetterOrDigit = (c: number) =>
  isDigit(c) || isLetter(c) || (c > 127 && /[\p{L}\p{N}]/u.test(String.fromCharCode(c)));
/** base64url, the alphabet of each JWT segment. */
const isB64Url = (c: number) => isDigit(c) || isLetter(c) || c === 45 || c === 95;
/** RFC 6750's b64token: what may follow `Bearer `. */
const isB64Token = (c: number) => isB64Url(c) || c === 46 || c === 126 || c === 43 || c === 47 || c === 61;
const isSlackTail = (c: number) => isDigit(c) || isLetter(c) || c === 45;
const isBlank = (c: number) => c === 32 || c === 9;
const isSpace = (c: number) =>
  (c >= 9 && c <= 13) ||
  c === 32 ||
  c === 0x85 ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;
/** A pair's value ends at a space, a quote or a separator, as `[^\s"',;}[]` would. */
const endsPairValue = (c: number) =>
  isSpace(c) || c === 34 || c === 39 || c === 44 || c === 59 || c === 125 || c === 91;
const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

interface KnownForm {
  value: string;
  /** How many leading characters must match before the rest may differ. */
  need: number;
  /** Those characters: a text without them holds no form of the secret. */
  prefix: string;
  /** Too short to tell from part of a word: matched only with no letter or digit either side. */
  alone: boolean;
}

/**
 * The token, and its signature alone when it is a JWT. A JWT's first two segments are claims anyone can decode,
 * and are much alike from one token to the next (the same header, similar claims), so they do not identify the
 * token: a text is taken for it once it matches through the second dot, and the signature, the part that makes
 * it a credential, is recognised from its first 20 characters wherever it appears.
 */
function knownForms(known: readonly (string | undefined)[]): KnownForm[] {
  const forms = new Map<string, KnownForm>();
  const add = (value: string, need: number) =>
    forms.set(value, {
      value,
      need: Math.min(value.length, need),
      prefix: value.slice(0, need),
      alone: value.length < MIN_IN_WORD,
    });
  for (const secret of known) {
    if (!secret) continue;
    const parts = secret.split('.');
    if (parts.length === 3 && parts[2]!.length >= 16) {
      add(secret, parts[0]!.length + parts[1]!.length + 2);
      add(parts[2]!, KNOWN_PREFIX);
    } else add(secret, KNOWN_PREFIX);
  }
  return [...forms.values()];
}

const NO_FORMS: readonly KnownForm[] = [];
/**
 * The forms of a list of secrets, worked out once per list: a parsed body is redacted string by string with the same
 * options, and most of its strings hold none of them. Kept with a copy of the list, since a caller may add a secret
 * to its list later (the CLI's output guard does).
 */
const formsByList = new WeakMap<
  readonly (string | undefined)[],
  { secrets: readonly (string | undefined)[]; forms: readonly KnownForm[] }
>();

function formsOf(known: readonly (string | undefined)[]): readonly KnownForm[] {
  const kept = formsByList.get(known);
  if (kept && sameList(kept.secrets, known)) return kept.forms;
  const forms = knownForms(known);
  formsByList.set(known, { secrets: [...known], forms });
  return forms;
}

function sameList(a: readonly (string | undefined)[], b: readonly (string | undefined)[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `text` holds the first characters of any of `forms`. */
function holdsAny(text: string, forms: readonly KnownForm[]): boolean {
  for (let i = 0; i < forms.length; i += 1) if (text.includes((forms[i] as KnownForm).prefix)) return true;
  return false;
}

export function redactSecrets(text: string, options: RedactOptions = {}): string {
  return redactCounting(text, options).text;
}

/**
 * The text under scan. Every character read goes through `at` and is counted: the count is what holds the scan to
 * linear time in the tests and the bench. A class rather than closures over the count: the scan reads every
 * character through it, and a field is cheaper to count in than a captured variable.
 */
class Reader {
  private reads = 0;
  private readonly n: number;

  constructor(readonly text: string) {
    this.n = text.length;
  }

  at(i: number): number {
    this.reads += 1;
    return i < this.n ? this.text.charCodeAt(i) : -1;
  }

  /** The end of the run of characters from `from` that pass `test`. */
  runEnd(from: number, test: (c: number) => boolean): number {
    let i = from;
    while (i < this.n && test(this.at(i))) i += 1;
    return i;
  }

  matchesLower(i: number, word: string): boolean {
    for (let k = 0; k < word.length; k += 1) if (lower(this.at(i + k)) !== word.charCodeAt(k)) return false;
    return true;
  }

  boundaryBefore(i: number): boolean {
    return i === 0 || !isWord(this.at(i - 1));
  }

  /**
   * The first index from `from` where the scan may find something (see STARTS), or the text's end. Each character
   * passed over is read, with the one before `from` and the one after a character whose follower decides: all
   * counted.
   */
  nextStart(from: number, starts: Uint8Array): number {
    const { text, n } = this;
    let i = from;
    let reads = i > 0 ? 1 : 0;
    let wordBefore = i > 0 && isWord(text.charCodeAt(i - 1));
    for (; i < n; i += 1) {
      const c = text.charCodeAt(i);
      reads += 1;
      const start = c < 128 ? (starts[c] as number) : 0;
      if (start === AT_WORD_START) {
        if (!wordBefore) {
          reads += 1;
          const next = lower(text.charCodeAt(i + 1));
          if (next < 128 && starts[128 + ((lower(c) - 97) << 7) + next] === 1) break;
        }
      } else if (start !== 0) {
        reads += 1;
        const next = lower(text.charCodeAt(i + 1));
        if (next === start || (start === BEFORE_O_OR_A && (next === 111 || next === 97))) break;
      }
      wordBefore = c < 128 && WORD_CHARS[c] === 1;
    }
    // The scan reads the character it stops at itself.
    this.reads += i < n ? reads - 1 : reads;
    return i;
  }

  visited(): number {
    return this.reads;
  }
}

/** End of a known secret (or its altered form) starting at i, or -1. */
function knownSecretAt(r: Reader, forms: readonly KnownForm[], i: number): number {
  for (const { value, need, alone } of forms) {
    let k = 0;
    while (k < need && r.at(i + k) === value.charCodeAt(k)) k += 1;
    if (k < need) continue;
    if (alone && ((i > 0 && isLetterOrDigit(r.at(i - 1))) || isLetterOrDigit(r.at(i + k)))) continue;
    if (need === value.length) return i + k;
    while (k < value.length && r.at(i + k) === value.charCodeAt(k)) k += 1;
    // What follows a long shared prefix is the rest of the token, changed: take it up to the run's end.
    let end = r.runEnd(i + k, (c) => isB64Url(c) || c === 46);
    while (end > i + k && r.text.charCodeAt(end - 1) === 46) end -= 1;
    return end;
  }
  return -1;
}

/** HS256, the shortest signature a JWT carries, is 43 base64url characters: one shorter was cut by a line break. */
const MIN_JWT_SIGNATURE = 43;

/** Where the next line's text starts when a line break (and the next line's indentation) is at i, or -1. */
function afterBreak(r: Reader, i: number): number {
  let j = i;
  if (r.at(j) === 13) j += 1;
  if (r.at(j) !== 10) return -1;
  return r.runEnd(j + 1, isBlank);
}

/** A token's fragment that fills the rest of its line: a wrapped token, not the next line's first word. */
const endsLine = (c: number) => c === -1 || c === 10 || c === 13 || c === 34 || c === 39 || c === 44 || c === 59;

/**
 * The end of a token's run from `from`, carried over line breaks where a log or a terminal wrapped it: while the run
 * is shorter than `whole` characters (so it cannot be complete), or the next line's fragment fills that line or is
 * followed by what completes it (`then`).
 */
function wrappedRunEnd(
  r: Reader,
  from: number,
  test: (c: number) => boolean,
  whole: number,
  then: (c: number) => boolean = endsLine,
): number {
  let end = r.runEnd(from, test);
  let length = end - from;
  for (;;) {
    const next = afterBreak(r, end);
    if (next < 0 || !test(r.at(next))) return end;
    const nextEnd = r.runEnd(next, test);
    const after = r.at(nextEnd);
    if (length >= whole && !endsLine(after) && !then(after)) return end;
    length += nextEnd - next;
    end = nextEnd;
  }
}

/** A header or payload fragment followed by its dot. */
const isDot = (c: number) => c === 46;

/** A JWT segment's dot at i, or at the start of the next line: the index of the dot, or -1. */
function dotAt(r: Reader, i: number): number {
  if (r.at(i) === 46) return i;
  const next = afterBreak(r, i);
  return next >= 0 && r.at(next) === 46 ? next : -1;
}

/** Most letters tried are an `e` that starts no JWT: that answer is shared rather than made anew each time. */
const NO_JWT: { readonly end: number; readonly headerEnd?: number } = Object.freeze({ end: -1 });

/**
 * A JWT starting at i (`eyJ` or `\u0065yJ`), also when a line break splits it: its end, or -1. `headerEnd`, when a
 * header run was read: no JWT can start before it, so the scan need not read that run twice.
 */
function jwtAt(r: Reader, i: number): { end: number; headerEnd?: number } {
  let segStart: number;
  let headerLength: number;
  const c = r.at(i);
  if (c === 101 && r.at(i + 1) === 121 && r.at(i + 2) === 74) {
    segStart = i;
    headerLength = 0;
  } else if (c === 92 && r.matchesLower(i + 1, 'u0065') && r.at(i + 6) === 121 && r.at(i + 7) === 74) {
    segStart = i + 6;
    headerLength = 1;
  } else return NO_JWT;
  const headerEnd = wrappedRunEnd(r, segStart, isB64Url, 0, isDot);
  headerLength += headerEnd - segStart;
  const headerDot = dotAt(r, headerEnd);
  if (headerLength < MIN_JWT_HEADER || headerDot < 0) return { end: -1, headerEnd };
  const payloadEnd = wrappedRunEnd(r, headerDot + 1, isB64Url, 0, isDot);
  if (payloadEnd - headerDot - 1 < MIN_JWT_PAYLOAD) return { end: -1, headerEnd };
  const payloadDot = dotAt(r, payloadEnd);
  if (payloadDot < 0) return { end: payloadEnd, headerEnd };
  const signatureEnd = wrappedRunEnd(r, payloadDot + 1, isB64Url, MIN_JWT_SIGNATURE);
  return { end: signatureEnd > payloadDot + 1 ? signatureEnd : payloadEnd, headerEnd };
}

/** End of a Slack token (`xoxb-…`, `xapp-…`) starting at i, or -1. */
function slackTokenAt(r: Reader, i: number): number {
  let tail: number;
  if (r.matchesLower(i, 'xox') && 'abposr'.includes(String.fromCharCode(r.at(i + 3))) && r.at(i + 4) === 45)
    tail = i + 5;
  else if (r.matchesLower(i, 'xapp-')) tail = i + 5;
  else return -1;
  const end = r.runEnd(tail, isSlackTail);
  return end - tail >= MIN_SLACK_TAIL ? end : -1;
}

/** `Bearer <value>`: the index where the value starts and where it ends, or undefined. */
function schemeValueAt(r: Reader, i: number): { valueStart: number; end: number } | undefined {
  const scheme = SCHEMES.find((s) => r.matchesLower(i, s));
  if (!scheme) return undefined;
  const valueStart = r.runEnd(i + scheme.length, isBlank);
  if (valueStart === i + scheme.length) return undefined;
  // A JWT after the scheme is known complete only by its shape; any other value, when its next line holds no more.
  const end = Math.max(jwtAt(r, valueStart).end, wrappedRunEnd(r, valueStart, isB64Token, 0));
  if (end - valueStart < MIN_SCHEME_VALUE) return undefined;
  if (scheme === 'basic' && !isBasicCredential(r.text.slice(valueStart, Math.min(end, valueStart + 128))))
    return undefined;
  return { valueStart, end };
}

/**
 * A Basic value is base64 of `user:password` (RFC 7617), so its start decodes to printable text and a colon; a word
 * after "Basic" ("Basic Information", a settings page) does not, and is prose, not a credential.
 */
function isBasicCredential(head: string): boolean {
  const whole = head.slice(0, head.length - (head.length % 4));
  return /^[\x20-\x7e]*:/.test(Buffer.from(whole, 'base64').toString('latin1'));
}

/** The pair keys by their first letter, in the same order: only those can start where that letter is. */
const PAIR_KEYS_BY_FIRST = new Map<number, string[]>(
  [...new Set(PAIR_KEYS.map((k) => k.charCodeAt(0)))].map((c) => [c, PAIR_KEYS.filter((k) => k.charCodeAt(0) === c)]),
);

/** `token: "…"`: where the value starts and ends, or undefined. A `Bearer ` before the value is kept. */
function pairValueAt(r: Reader, i: number): { valueStart: number; end: number } | undefined {
  const key = PAIR_KEYS_BY_FIRST.get(lower(r.at(i)))?.find((k) => r.matchesLower(i, k));
  if (!key) return undefined;
  let j = i + key.length;
  if (r.at(j) === 34 || r.at(j) === 39) j += 1;
  j = r.runEnd(j, isBlank);
  if (r.at(j) === 61 && r.at(j + 1) === 62) j += 2;
  else if (r.at(j) === 58 || r.at(j) === 61) j += 1;
  else return undefined;
  j = r.runEnd(j, isBlank);
  if (r.at(j) === 34 || r.at(j) === 39) j += 1;
  // `Authorization: Bearer <value>`: the value ends where a Bearer value does, not at the pair's separators, so the
  // backquote or parenthesis closing it stays; unless a percent-encoded or escaped character carries it on.
  const schemeValue = schemeValueAt(r, j);
  if (schemeValue && r.at(schemeValue.end) !== 37 && r.at(schemeValue.end) !== 92) return schemeValue;
  const scheme = SCHEMES.find((s) => r.matchesLower(j, s));
  if (scheme && isBlank(r.at(j + scheme.length))) j = r.runEnd(j + scheme.length, isBlank);
  const end = r.runEnd(j, (c) => !endsPairValue(c));
  return end > j ? { valueStart: j, end } : undefined;
}

/**
 * What makes a character a place where the scan may find something, in STARTS: being at a word's start, being
 * followed by `o` or `a`, or (any other value) being followed by the character of that code, in either case.
 */
const AT_WORD_START = 1;
const BEFORE_O_OR_A = 2;

/**
 * Where the scan can find something, by what it looks for (1: pairs, 2: shapes): the first two letters of a pair key
 * or of `Bearer`/`Basic` at a word's start, an `e` before `y` (`eyJ…`), a backslash before `u` (`\u0065yJ…`), an
 * `x` before `o` or `a` (`xoxb-`, `xapp-`). Everywhere else none of them can start, and the scan passes over without
 * trying them.
 */
const STARTS: readonly Uint8Array[] = [0, 1, 2, 3].map((looked) => {
  // The first 128 entries by character; then, by a word's first letter (a to z) and its next character, lowercased,
  // 1 where a word may start so.
  const starts = new Uint8Array(128 + 26 * 128);
  const mark = (chars: string, start: number) => {
    for (const ch of chars) starts[ch.charCodeAt(0)] = start;
  };
  const markWords = (words: readonly string[]) => {
    for (const word of words) {
      mark(word[0] as string, AT_WORD_START);
      mark((word[0] as string).toUpperCase(), AT_WORD_START);
      starts[128 + ((word.charCodeAt(0) - 97) << 7) + word.charCodeAt(1)] = 1;
    }
  };
  if (looked & 1) markWords(PAIR_KEYS);
  if (looked & 2) {
    markWords(SCHEMES);
    mark('e', 121);
    mark('\\', 117);
    mark('xX', BEFORE_O_OR_A);
  }
  return starts;
});

export function redactCounting(text: string, options: RedactOptions = {}): { text: string; visited: number } {
  const n = text.length;
  const shapes = options.shapes !== false;
  const pairs = options.pairs === true;
  // A known secret absent from the text costs one native search, not a comparison at every position.
  const known = options.known === undefined ? NO_FORMS : formsOf(options.known);
  const forms = holdsAny(text, known) ? known.filter((f) => text.includes(f.prefix)) : NO_FORMS;
  if (forms.length === 0 && !shapes && !pairs) return { text, visited: 0 };
  const knownMask = options.knownMask ?? REDACTED_TOKEN;
  const r = new Reader(text);
  /** JWT attempts before this index are known to fail: a failed header run is never read twice. */
  let noJwtBefore = 0;

  const out: string[] = [];
  let copied = 0;
  const replace = (from: number, to: number, replacement: string) => {
    out.push(text.slice(copied, from), replacement);
    copied = to;
  };

  const starts = STARTS[(pairs ? 1 : 0) | (shapes ? 2 : 0)] as Uint8Array;
  let i = 0;
  while (i < n) {
    if (forms.length === 0) {
      i = r.nextStart(i, starts);
      if (i >= n) break;
    } else {
      const end = knownSecretAt(r, forms, i);
      if (end > i) {
        replace(i, end, knownMask);
        i = end;
        continue;
      }
    }
    const c = r.at(i);
    const first = lower(c);
    if (pairs && (first === 97 || first === 116 || first === 112 || first === 115) && r.boundaryBefore(i)) {
      const pair = pairValueAt(r, i);
      if (pair) {
        replace(pair.valueStart, pair.end, REDACTED);
        i = pair.end;
        continue;
      }
    }
    if (shapes) {
      if ((c === 101 || c === 92) && i >= noJwtBefore) {
        const jwt = jwtAt(r, i);
        if (jwt.headerEnd !== undefined) noJwtBefore = jwt.headerEnd;
        if (jwt.end > i) {
          replace(i, jwt.end, REDACTED_TOKEN);
          i = jwt.end;
          continue;
        }
      }
      if (c === 120 || c === 88) {
        const end = slackTokenAt(r, i);
        if (end > i) {
          replace(i, end, REDACTED_TOKEN);
          i = end;
          continue;
        }
      }
      if ((c === 98 || c === 66) && r.boundaryBefore(i)) {
        const scheme = schemeValueAt(r, i);
        if (scheme) {
          replace(scheme.valueStart, scheme.end, REDACTED);
          i = scheme.end;
          continue;
        }
      }
    }
    i += 1;
  }
  if (copied === 0) return { text, visited: r.visited() };
  out.push(text.slice(copied));
  return { text: out.join(''), visited: r.visited() };
}

/**
 * Redacts every string in a value freshly parsed from JSON (object keys included), in place, and returns it.
 * Iterative, so a deeply nested body cannot overflow the stack. A JSON escape such as `\u0065yJ…` is only
 * undone by the parser, which is why text is redacted again after parsing.
 */
export function redactParsedJson<T>(value: T, options: RedactOptions = {}): T {
  if (typeof value === 'string') return redactSecrets(value, options) as T;
  if (typeof value !== 'object' || value === null) return value;
  const pending: object[] = [value];
  while (pending.length > 0) {
    const node = pending.pop() as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      const child = node[key];
      let clean = child;
      if (typeof child === 'string') clean = redactSecrets(child, options);
      else if (typeof child === 'object' && child !== null) pending.push(child);
      const cleanKey = Array.isArray(node) ? key : redactSecrets(key, options);
      if (cleanKey !== key) delete node[key];
      // defineProperty, not assignment: a parsed `"__proto__"` key is an own property an assignment would miss.
      if (cleanKey !== key || clean !== child)
        Object.defineProperty(node, cleanKey, { value: clean, writable: true, enumerable: true, configurable: true });
    }
  }
  return value;
}
