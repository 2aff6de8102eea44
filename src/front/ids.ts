/**
 * Front IDs and the only paths the client may request. Anything typed in chat reaches a URL through
 * these builders, which accept a strict ID shape and nothing else, so a paste cannot change the path
 * (`cnv_1/../teammates`), the query (`cnv_1?x=1`) or smuggle encoded separators (`%2F`).
 */

/** Prefixes Front uses, with a human name for messages. Others still parse when no prefix is expected. */
export const FRONT_ID_KINDS: Readonly<Record<string, string>> = {
  cnv: 'conversation',
  msg: 'message',
  inb: 'inbox',
  tea: 'teammate',
  tim: 'team',
  cha: 'channel',
  tag: 'tag',
  cmp: 'company',
  com: 'comment',
  crd: 'contact',
  rsp: 'message template',
  sig: 'signature',
  rul: 'rule',
};

const FRONT_ID = /^([a-z]{2,4})_([0-9a-z]{1,24})$/;
const MAX_SHOWN = 40;

export type FrontIdProblem =
  'empty' | 'too_long' | 'non_ascii' | 'whitespace' | 'forbidden_char' | 'uppercase' | 'bad_format' | 'wrong_prefix';

export type FrontIdParse =
  { ok: true; id: string; prefix: string; kind: string } | { ok: false; reason: FrontIdProblem; message: string };

export class InvalidFrontIdError extends Error {
  override readonly name = 'InvalidFrontIdError';
  constructor(
    readonly reason: FrontIdProblem,
    message: string,
  ) {
    super(message);
  }
}

function shown(input: string): string {
  return JSON.stringify(input.length > MAX_SHOWN ? `${input.slice(0, MAX_SHOWN)}…` : input);
}

function kindOf(prefix: string): string {
  return FRONT_ID_KINDS[prefix] ?? 'unknown';
}

function expectedText(prefix: string | undefined): string {
  return prefix === undefined ? 'a Front ID (e.g. cnv_123abc)' : `a ${kindOf(prefix)} ID (${prefix}_…)`;
}

/**
 * Checks a Front ID: a 2–4 letter lowercase prefix, `_`, then 1–24 lowercase base-36 characters. With
 * `expectedPrefix`, the prefix must match too. Nothing is trimmed or lower-cased: what is checked is
 * exactly what would be sent.
 */
export function parseFrontId(input: string, expectedPrefix?: string): FrontIdParse {
  const fail = (reason: FrontIdProblem, why: string): FrontIdParse => ({
    ok: false,
    reason,
    message: `${shown(input)} is not ${expectedText(expectedPrefix)}: ${why}`,
  });
  if (input === '') return fail('empty', 'it is empty');
  // Checked first so a 1 MB paste is not scanned character by character below.
  if (input.length > 29) return fail('too_long', 'Front IDs are at most 29 characters');
  const match = FRONT_ID.exec(input);
  if (!match) return fail(...whatIsWrong(input));
  const prefix = match[1]!;
  if (expectedPrefix !== undefined && prefix !== expectedPrefix) {
    return fail(
      'wrong_prefix',
      `it is ${kindOf(prefix) === 'unknown' ? `an ID with the unknown prefix ${prefix}_` : `a ${kindOf(prefix)} ID`}`,
    );
  }
  return { ok: true, id: input, prefix, kind: kindOf(prefix) };
}

/**
 * Why a short, non-empty input is not a Front ID, first problem first. Only a rejection pays for these checks (IDs are
 * checked for every paste): a well-formed ID passes each of them.
 */
function whatIsWrong(input: string): [FrontIdProblem, string] {
  const nonAscii = [...input].find((ch) => ch.codePointAt(0)! > 0x7f);
  if (nonAscii !== undefined) {
    const code = nonAscii.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return [
      'non_ascii',
      `it contains the non-ASCII character U+${code} (a lookalike letter?); Front IDs use only a–z, 0–9 and "_"`,
    ];
  }
  if ([...input].some((ch) => ch.codePointAt(0)! <= 0x20 || ch.codePointAt(0) === 0x7f))
    return ['whitespace', 'it contains whitespace or a control character'];
  const forbidden = /[^A-Za-z0-9_]/.exec(input);
  if (forbidden) return ['forbidden_char', `it contains ${JSON.stringify(forbidden[0])}, which Front IDs never do`];
  if (/[A-Z]/.test(input)) {
    const lower = input.toLowerCase();
    const hint = FRONT_ID.test(lower) ? ` (did you mean ${shown(lower)}?)` : '';
    return ['uppercase', `Front IDs are lowercase${hint}`];
  }
  return ['bad_format', 'expected a 2–4 letter prefix, "_", then up to 24 letters or digits, e.g. cnv_yo1kg5q'];
}

// Deliberately narrower than RFC 5321: no quotes, "%", "/" or non-ASCII, so the encoded alias can only
// contain letters, digits, ".", "_", "-" and the encoded "@" and "+".
const ALIAS_EMAIL = /^[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$/;
const ALIAS_PREFIX = 'alt:email:';

export type TeammateRefParse =
  { ok: true; ref: string; kind: 'id' | 'email' } | { ok: false; reason: FrontIdProblem; message: string };

/** A teammate ID (`tea_…`), a resource alias `alt:email:x@y.com`, or a bare email turned into that alias. */
export function parseTeammateRef(input: string): TeammateRefParse {
  const email = input.startsWith(ALIAS_PREFIX)
    ? input.slice(ALIAS_PREFIX.length)
    : input.includes('@')
      ? input
      : undefined;
  if (email === undefined) {
    const id = parseFrontId(input, 'tea');
    return id.ok ? { ok: true, ref: id.id, kind: 'id' } : id;
  }
  if (email.length > 254 || !ALIAS_EMAIL.test(email) || email.includes('..')) {
    return {
      ok: false,
      reason: 'bad_format',
      message: `${shown(input)} is not a teammate ID (tea_…) or a plain email address usable as alt:email:<address>`,
    };
  }
  return { ok: true, ref: `${ALIAS_PREFIX}${email}`, kind: 'email' };
}

declare const frontPathBrand: unique symbol;
/** A request path built by `frontPaths`; the brand keeps free-form strings out of `client.get`. */
export type FrontPath = string & { readonly [frontPathBrand]: true };

function idSegment(input: string, prefix: string): string {
  const parsed = parseFrontId(input, prefix);
  if (!parsed.ok) throw new InvalidFrontIdError(parsed.reason, parsed.message);
  return parsed.id;
}

function teammateSegment(input: string): string {
  const parsed = parseTeammateRef(input);
  if (!parsed.ok) throw new InvalidFrontIdError(parsed.reason, parsed.message);
  return parsed.kind === 'id'
    ? parsed.ref
    : `${ALIAS_PREFIX}${encodeURIComponent(parsed.ref.slice(ALIAS_PREFIX.length))}`;
}

const path = (p: string): FrontPath => p as FrontPath;

/** Builders for the endpoints the probes use. Each throws InvalidFrontIdError before anything is sent. */
export const frontPaths = {
  me: (): FrontPath => path('/me'),
  conversation: (id: string): FrontPath => path(`/conversations/${idSegment(id, 'cnv')}`),
  conversationInboxes: (id: string): FrontPath => path(`/conversations/${idSegment(id, 'cnv')}/inboxes`),
  teammates: (): FrontPath => path('/teammates'),
  teammate: (idOrEmail: string): FrontPath => path(`/teammates/${teammateSegment(idOrEmail)}`),
  teammatePrivateInboxes: (idOrEmail: string): FrontPath =>
    path(`/teammates/${teammateSegment(idOrEmail)}/private_inboxes`),
  teams: (): FrontPath => path('/teams'),
  /** GET /{collection}/{id} of a resource that can be private (see resources.ts for the collections). */
  resource: (collection: string, prefix: string, id: string): FrontPath => {
    if (!/^[a-z_]{1,30}$/.test(collection)) throw new InvalidFrontIdError('bad_format', 'not a Front collection');
    return path(`/${collection}/${idSegment(id, prefix)}`);
  },
  /** GET /teammates/{id}/{listing}: one teammate's own resources of a kind. */
  teammateListing: (idOrEmail: string, listing: string): FrontPath => {
    if (!/^[a-z_]{1,30}$/.test(listing)) throw new InvalidFrontIdError('bad_format', 'not a teammate listing');
    return path(`/teammates/${teammateSegment(idOrEmail)}/${listing}`);
  },
} as const;

// What the builders above can produce; the client re-checks it because a cast can forge the brand.
const SAFE_SEGMENT = /^(?:[A-Za-z0-9_:.+-]|%(?:40|2B))+$/;

export function isSafeFrontPath(p: string): boolean {
  if (!p.startsWith('/') || p.length > 300) return false;
  return p
    .slice(1)
    .split('/')
    .every((segment) => SAFE_SEGMENT.test(segment) && segment !== '.' && segment !== '..');
}
