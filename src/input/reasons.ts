/** HTTP reason phrases, as status lines, edge pages and client libraries print them. */

export const STATUS_BY_REASON: Record<string, number> = {
  'bad request': 400,
  unauthorized: 401,
  unauthorised: 401,
  unauthenticated: 401,
  forbidden: 403,
  'not found': 404,
  'method not allowed': 405,
  'request timeout': 408,
  conflict: 409,
  'payload too large': 413,
  'unprocessable entity': 422,
  'too many requests': 429,
  'internal server error': 500,
  'bad gateway': 502,
  'service unavailable': 503,
  'gateway timeout': 504,
  'gateway time-out': 504,
};

export const REASON_ALTERNATIVES =
  'Bad Request|Unauthori[sz]ed|Unauthenticated|Forbidden|Not Found|Method Not Allowed|Request Timeout|Conflict|' +
  'Payload Too Large|Unprocessable Entity|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out';

/**
 * A 4xx/5xx that stands alone as a status: not part of a time (10:42:03.403), a port (:443), a path segment
 * (/403/), an ID (cnv_403) or a longer number.
 */
export const STATUS_NUMBER = String.raw`(?<![\w.:/\-])([45]\d\d)(?!\w|[.:]\d)`;

/** `403 Forbidden`, `429: Too Many Requests`, `403 Client Error: Forbidden` (Python requests). */
export const STATUS_THEN_REASON = new RegExp(
  String.raw`${STATUS_NUMBER}(?:[ \t]*[:\-–][ \t]*|[ \t]+)(?:(?:Client|Server)[ \t]+Error[ \t]*:?[ \t]*)?(${REASON_ALTERNATIVES})\b`,
  'gi',
);

export function statusOfReason(reason: string): number | undefined {
  return STATUS_BY_REASON[reason.trim().toLowerCase()];
}

/**
 * A status given in words rather than before a reason: axios' `Request failed with status code 429`, a no-code
 * tool's `(HTTP Status: 401)`, a wrapper's `Front API error 403: …`, docs' "return a `401` error status code".
 */
export const STATUS_IN_WORDS = new RegExp(
  String.raw`\b(?:status[ _-]?code|HTTP[ _-]?status|Front[ \t]+(?:API[ \t]+)?error)[ \t]*[:=]?[ \t]*${STATUS_NUMBER}|` +
    String.raw`\x60([45]\d\d)\x60[ \t]+(?:error[ \t]+)?(?:status[ \t]+code|response|error)\b`,
  'gi',
);
