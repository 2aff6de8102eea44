import { isTransportNoiseLine, lineEndAt } from './lines';
import { parseLoose } from './loose-json';
import { matchesIn } from './range-search';
import { trimEndWhere } from './trim';
import type { RateLimitHeaders } from './types';
import { charge } from './work';

/** One HTTP response as curl -i / -v (or a raw dump) shows it: a status line, then headers, then maybe a body. */
export interface HttpResponse {
  start: number;
  statusLine: string;
  status: number;
  /** The reason phrase of HTTP/1.x (`Too Many Requests`); HTTP/2 has none. */
  reason?: string;
  /** Lower-cased header names; the first value wins. */
  headers: Map<string, string>;
  /** The header lines as written, to quote the interesting ones. */
  headerLines: { name: string; line: string }[];
  /** Where the headers stop and a body may begin. */
  headersEnd: number;
  /** Where the next response or request begins (or the end of the paste). */
  limit: number;
}

export interface BodySpan {
  start: number;
  end: number;
  /** False when a JSON body could not be read to its end. */
  complete: boolean;
}

const STATUS_LINE = /^[ \t<>*`]*HTTP\/\d(?:\.\d)?[ \t]+([1-5]\d\d)(?!\d)([^\n]*)$/gm;
const REQUEST_LINE = /^[ \t>]*(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)[ \t]+\S+[ \t]+HTTP\/\d/gm;
const HEADER_LINE = /^[ \t<]*([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;

const isBacktick = (c: string): boolean => c === '`';

export function findHttpResponses(text: string): HttpResponse[] {
  charge(text.length);
  if (!text.includes('HTTP/')) return [];
  const found: Omit<HttpResponse, 'limit'>[] = [];
  for (const m of matchesIn(STATUS_LINE, text)) {
    const start = m.index;
    const statusLineEnd = start + m[0].length;
    charge(3 * m[0].length);
    const reason = trimEndWhere((m[2] ?? '').trim(), isBacktick).trim();
    found.push({
      start,
      statusLine: trimEndWhere(m[0].replace(/^[ \t<>*`]+/, ''), isBacktick).trim(),
      status: Number(m[1]),
      ...(reason ? { reason } : {}),
      ...readHeaders(text, statusLineEnd + 1),
    });
  }
  const requestStarts = matchesIn(REQUEST_LINE, text).map((m) => m.index);
  // Both lists are in order: one walk pairs each response with the first request after its headers.
  let request = 0;
  return found.map((r, i) => {
    while (request < requestStarts.length && (requestStarts[request] as number) < r.headersEnd) request++;
    const nextResponse = found[i + 1]?.start ?? text.length;
    const nextRequest = requestStarts[request] ?? text.length;
    return { ...r, limit: Math.min(nextResponse, nextRequest) };
  });
}

function readHeaders(text: string, from: number): Pick<HttpResponse, 'headers' | 'headerLines' | 'headersEnd'> {
  const headers = new Map<string, string>();
  const headerLines: { name: string; line: string }[] = [];
  let p = from;
  while (p < text.length) {
    const end = lineEndAt(text, p);
    const line = text.slice(p, end);
    charge(3 * line.length + 1);
    const m = HEADER_LINE.exec(line);
    if (!m || m[1] === undefined) break;
    const name = m[1].toLowerCase();
    if (!headers.has(name)) headers.set(name, trimEndWhere((m[2] ?? '').trim(), isBacktick));
    headerLines.push({ name, line: line.replace(/^[ \t<]+/, '').trim() });
    p = end + 1;
  }
  return { headers, headerLines, headersEnd: Math.min(p, text.length) };
}

/**
 * The body right after the headers: a JSON value read to its end, or a paragraph of text. More than one
 * blank line (or nothing but curl chatter) means there was no body and what follows is something else.
 */
export function locateBody(text: string, from: number, limit: number): BodySpan | undefined {
  let p = from;
  let blankLines = 0;
  while (p < limit) {
    const end = Math.min(lineEndAt(text, p), limit);
    const line = text.slice(p, end);
    charge(2 * line.length + 1);
    const trimmed = line.trim();
    if (trimmed === '') {
      if (++blankLines > 1) return undefined;
    } else if (!isTransportNoiseLine(trimmed)) {
      const start = p + line.indexOf(trimmed.charAt(0));
      const first = text.charAt(start);
      if (first === '{' || first === '[') {
        const parsed = parseLoose(text, start, limit);
        return { start, end: parsed.end, complete: parsed.complete };
      }
      return { start, end: paragraphEnd(text, end, limit), complete: true };
    }
    p = end + 1;
  }
  return undefined;
}

function paragraphEnd(text: string, firstLineEnd: number, limit: number): number {
  let end = firstLineEnd;
  while (end + 1 < limit) {
    const next = Math.min(lineEndAt(text, end + 1), limit);
    const line = text.slice(end + 1, next).trim();
    charge(next - end);
    if (line === '' || isTransportNoiseLine(line)) break;
    end = next;
  }
  return end;
}

function headerNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(?:\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/** Front's rate-limit headers from a header map (lower-cased names); undefined when none are there. */
export function rateLimitFrom(headers: ReadonlyMap<string, string>): RateLimitHeaders | undefined {
  const rateLimit: RateLimitHeaders = {};
  const limit = headerNumber(headers.get('x-ratelimit-limit'));
  if (limit !== undefined) rateLimit.limit = limit;
  const remaining = headerNumber(headers.get('x-ratelimit-remaining'));
  if (remaining !== undefined) rateLimit.remaining = remaining;
  const reset = headerNumber(headers.get('x-ratelimit-reset'));
  if (reset !== undefined) rateLimit.reset = reset;
  const retryAfter = headerNumber(headers.get('retry-after'));
  if (retryAfter !== undefined) rateLimit.retryAfter = retryAfter;
  const tier = headers.get('x-front-tier')?.trim();
  if (tier) rateLimit.tier = tier;
  return Object.keys(rateLimit).length > 0 ? rateLimit : undefined;
}
