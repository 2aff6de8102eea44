import type { z as Zod } from 'zod';
import { KIND_BY_PREFIX } from './id-scan';
import { truncate } from './excerpt';
import type { FrontIdRef, Observation, ParseResult } from './types';
import { charge } from './work';

/**
 * What a button or a watch carries to check a paste again: the Front errors and IDs the parser read in it, and
 * nothing else. A paste holds whatever surrounded the error (names, addresses, passwords, a customer's note), and a
 * button value travels in a channel message while a watch keeps its target for days; neither needs more than
 * what the diagnosis reads. Reading it back gives the diagnosis the facts it had from the full paste.
 */

/** Starts a re-check input; what follows is JSON. A paste that starts so is read as one. */
export const RECHECK_MARKER = 'front-why:recheck:1 ';

const FRONT_ID = /^[a-z]{2,4}_[0-9a-z]{1,24}$/;
const MAX_TEXT = 2_000;
const MAX_ITEMS = 200;

/** The shape of a re-check input; built on first use (see `inputSchema`). */
function buildInputSchema(z: typeof Zod) {
  const text = z.string().max(MAX_TEXT);
  const frontId = z.string().regex(FRONT_ID);
  const count = z.number().finite();

  const observationSchema = z.strictObject({
    format: z.enum(['json', 'http', 'html', 'text']),
    status: z.number().int().min(0).max(999).optional(),
    statusInferred: z.boolean().optional(),
    title: text.optional(),
    message: text.optional(),
    details: z.array(text).max(MAX_ITEMS).optional(),
    resource: z.strictObject({ verb: text.optional(), kind: text.optional(), id: text.optional() }).optional(),
    request: z.strictObject({ method: text.optional(), path: text.optional() }).optional(),
    rateLimit: z
      .strictObject({
        limit: count.optional(),
        remaining: count.optional(),
        reset: count.optional(),
        retryAfter: count.optional(),
        tier: text.optional(),
      })
      .optional(),
    location: text.optional(),
    ids: z.array(frontId).max(MAX_ITEMS),
  });

  return z.strictObject({
    errors: z.array(observationSchema).max(MAX_ITEMS),
    /** Every distinct ID, in order; `links` are those that came from an app link. */
    ids: z.array(frontId).max(MAX_ITEMS),
    links: z.array(frontId).max(MAX_ITEMS).optional(),
    oauth: z.literal(true).optional(),
  });
}

let schema: ReturnType<typeof buildInputSchema> | undefined;

/**
 * zod is required here, on the first re-check input read, not at the top: every paste passes through this module,
 * and `front-why explain` would otherwise load zod for a button value it never sees.
 */
function inputSchema(): ReturnType<typeof buildInputSchema> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  schema ??= buildInputSchema((require('zod') as typeof import('zod')).z);
  return schema;
}

type RecheckInput = Zod.infer<ReturnType<typeof buildInputSchema>>;
type Read = Extract<ParseResult, { ok: true }>;

export interface RecheckInputLimits {
  /** Errors kept, in order (a diagnosis looks at the first few only). */
  maxErrors: number;
  /** The most characters the input may take (a button value holds 2,000). */
  maxChars: number;
}

/**
 * The re-check input for a paste as read, or undefined when even its first error does not fit in `maxChars`.
 * `<`, `>` and `&` are JSON-escaped, so not even a hidden value carries a raw `<!channel>`.
 */
export function recheckInput(parsed: Read, limits: RecheckInputLimits): string | undefined {
  const errors = parsed.errors.slice(0, limits.maxErrors).map(observationInput);
  const all = parsed.ids.map((ref) => ref.id);
  // IDs the errors name come first when the list must be cut: they are what the checks read.
  const named = new Set(errors.flatMap((e) => e.ids));
  const fewer = [...all.filter((id) => named.has(id)), ...all.filter((id) => !named.has(id)).slice(0, 3)];
  for (const ids of [all, fewer]) {
    for (let kept = errors.length; kept >= Math.min(1, errors.length); kept -= 1) {
      const encoded = encode(parsed, errors.slice(0, kept), ids);
      if (encoded.length <= limits.maxChars) return encoded;
    }
  }
  return undefined;
}

function encode(parsed: Read, errors: RecheckInput['errors'], ids: string[]): string {
  const kept = new Set(ids);
  const links = parsed.ids.filter((ref) => ref.fromLink && kept.has(ref.id)).map((ref) => ref.id);
  const input: RecheckInput = {
    errors,
    ids: parsed.ids.map((ref) => ref.id).filter((id) => kept.has(id)),
    ...(links.length > 0 ? { links } : {}),
    ...(parsed.mentionsOAuth ? { oauth: true } : {}),
  };
  const json = JSON.stringify(input).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${RECHECK_MARKER}${json}`;
}

function observationInput(o: Observation): RecheckInput['errors'][number] {
  const { excerpt: _quote, ...fields } = o;
  return fields;
}

/** Whether a text is a re-check input (and not a paste). */
export function isRecheckInput(value: string): boolean {
  return value.startsWith(RECHECK_MARKER);
}

/** A re-check input read back as the parser would have read its paste; undefined when it is not a valid one. */
export function readRecheckInput(value: string): Read | undefined {
  if (!isRecheckInput(value)) return undefined;
  const body = value.slice(RECHECK_MARKER.length);
  charge(body.length);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const checked = inputSchema().safeParse(json);
  if (!checked.success) return undefined;
  const input = checked.data;
  const links = new Set(input.links ?? []);
  const ids: FrontIdRef[] = [...new Set(input.ids)].map((id) => {
    const prefix = id.slice(0, id.indexOf('_'));
    return { id, prefix, kind: KIND_BY_PREFIX[prefix] ?? 'unknown', fromLink: links.has(id) };
  });
  const errors: Observation[] = input.errors.map((e) => ({
    ...e,
    // Nothing of the paste is left to quote: the error's own words stand in for it.
    excerpt: truncate([e.status, e.title, e.message].filter((p) => p !== undefined).join(' '), 300),
  }));
  return { ok: true, errors, ids, mentionsOAuth: input.oauth === true };
}
