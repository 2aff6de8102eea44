/** What the paste parser extracts from whatever an agent pasted. */

/**
 * How an error was recognised in the paste: `json` an `_error` envelope on its own (in a log line, a stack
 * trace, an object dump); `http` a status line (curl -i/-v), with its headers and body merged in; `html` an
 * error page from the edge (with or without a status line); `text` a Front wording without an envelope.
 */
export type ErrorFormat = 'json' | 'http' | 'html' | 'text';

/**
 * One of Front's wordings, as a rule states it (`wordings:` in rules/*.yml). A wording found in a paste makes
 * an error of the text around it: with the status beside it, or the one it implies; with neither, only when
 * `frontOnly` (nobody but Front, or an integration naming Front, writes it).
 */
export interface Wording {
  pattern: RegExp;
  /** The status Front answers with these words. */
  status?: number;
  /** Read without a status beside it: the words name Front, or are one of Front's own messages. */
  frontOnly: boolean;
  /** Where it was seen (a URL, or owner/repo@commit:path). */
  source: string;
}

export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  /** Unix seconds, as Front sends it in `x-ratelimit-reset`. */
  reset?: number;
  /** Seconds, from `retry-after`. */
  retryAfter?: number;
  /** `x-front-tier`, present on burst-limited routes. */
  tier?: string;
}

/** One Front error found in a paste. Every field is optional: Front's envelope is, in practice. */
export interface Observation {
  format: ErrorFormat;
  status?: number;
  /**
   * True when the paste showed no status and it was inferred from an unmistakable Front wording
   * (e.g. "This agent is not allowed to read the …" → 403).
   */
  statusInferred?: boolean;
  title?: string;
  message?: string;
  details?: string[];
  /** From `This agent is not allowed to <verb> the "<kind>" with ID: "<id>"`. */
  resource?: { verb?: string; kind?: string; id?: string };
  request?: { method?: string; path?: string };
  rateLimit?: RateLimitHeaders;
  /** `Location` header of a 301 (a merged conversation). */
  location?: string;
  /** Front IDs mentioned in or next to this error (resource id, request path, Location). */
  ids: string[];
  /** A short excerpt of the text this error came from, for evidence. Never longer than 300 characters. */
  excerpt: string;
}

export interface FrontIdRef {
  id: string;
  /** `cnv`, `msg`, `tea`, … */
  prefix: string;
  /** Human name of the prefix: conversation, message, teammate, … ('unknown' for an unlisted prefix). */
  kind: string;
  /**
   * True when it came from an app link such as https://app.frontapp.com/open/cnv_… (Front's UI). An ID seen
   * only in an API link (https://acme.api.frontapp.com/conversations/cnv_…) is found but is not `fromLink`.
   */
  fromLink: boolean;
}

export type ParseResult =
  | {
      ok: true;
      /**
       * Front errors, in the order they appear, the first MAX_ERRORS of them. Empty when the paste holds no
       * Front error.
       */
      errors: Observation[];
      /** Every distinct Front ID or app-link ID in the paste, in order of first appearance. */
      ids: FrontIdRef[];
      /** The paste says the failing request came from an OAuth connection (mentions OAuth or a refresh token). */
      mentionsOAuth?: boolean;
    }
  | { ok: false; reason: 'too_large' | 'empty'; message: string };

/**
 * Errors read out of one paste. A diagnosis looks at the first few; a log of thousands of failing calls would
 * otherwise cost a full reading (request, headers, excerpt) of each.
 */
export const MAX_ERRORS = 50;

/** Pastes larger than this are refused with a clear message. */
export const MAX_PASTE_BYTES = 64 * 1024;
