import { findRequest, headerPairs, statusHint, titleHint } from './context';
import { findEnvelopes, type Envelope } from './envelope';
import { excerpt, redactSecrets, truncate } from './excerpt';
import { findHtmlPages, type HtmlPage } from './html';
import { findHttpResponses, locateBody, rateLimitFrom, type HttpResponse } from './http';
import { idsIn, isFrontId, type IdOccurrence } from './id-scan';
import { joinPieces, type Candidate } from './join';
import { lineEndAt, lineStartAt, transportNoiseFrom } from './lines';
import { lowerBound } from './range-search';
import { findResponseDescriptions, type ResponseDescription } from './openapi';
import { coverage, insideAny, uncovered, type Span } from './spans';
import { findTextHits, type TextHit } from './text-errors';
import { MAX_ERRORS, type Observation } from './types';
import { charge } from './work';
import { resourceFromMessage, type WordingSet } from './wordings';

const MAX_BODY_MESSAGE_CHARS = 500;
/** How far after a text error its client's printed headers are looked for. */
const MAX_HEADERS_AFTER = 2000;
/** Headers worth quoting in an excerpt; the rest (date, server, cookies) is noise. */
const QUOTED_HEADERS = new Set([
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
  'x-front-tier',
  'location',
]);

/**
 * Finds every Front error in a normalised paste, in order. Responses are read first (a status line owns the
 * envelope or page in its body), then envelopes and pages standing alone, then Front wordings in whatever
 * text is left. A 2xx response is read too, only so nothing inside it is taken for an error.
 */
export function findErrors(text: string, idOccurrences: readonly IdOccurrence[], wordings: WordingSet): Observation[] {
  const envelopes = findEnvelopes(text);
  const pages = findHtmlPages(text);
  const used = new Set<Envelope | HtmlPage>();
  const claimed: Span[] = [];
  const quiet: Span[] = [];
  const candidates: Candidate[] = [];

  for (const response of findHttpResponses(text)) {
    const read = readResponse(text, response, envelopes, pages, used);
    claimed.push(read.span);
    if (read.candidate) candidates.push(read.candidate);
    else quiet.push(read.span);
  }
  const quietParts = coverage(quiet);
  for (const envelope of envelopes) {
    if (used.has(envelope) || insideAny(quietParts, envelope.start)) continue;
    claimed.push(envelope);
    candidates.push(envelopeCandidate(text, envelope));
  }
  for (const page of pages) {
    if (used.has(page) || insideAny(quietParts, page.start)) continue;
    claimed.push(page);
    if (page.status !== undefined && page.status >= 400) candidates.push(pageCandidate(text, page));
  }
  const claimedParts = coverage(claimed);
  for (const described of findResponseDescriptions(text)) {
    if (insideAny(claimedParts, described.start)) continue;
    claimed.push(described);
    candidates.push(describedCandidate(text, described));
  }
  const hits = findTextHits(text, uncovered(claimed, text.length), wordings);
  // A client's "status code 404" alone is read only when nothing better was (an axios dump's own envelope is the
  // error it announces) and the paste is about Front.
  const weakCounts = candidates.length === 0 && isAboutFront(text, idOccurrences);
  for (const hit of hits) if (!hit.statusInWordsOnly || weakCounts) candidates.push(textCandidate(text, hit));

  const errors = joinPieces(
    text,
    candidates.sort((a, b) => a.start - b.start),
  );
  const contexts = contextsOf(text, errors, quiet);
  return errors
    .slice(0, MAX_ERRORS)
    .map((c) =>
      toObservation(text, c, contexts.get(c) ?? { start: 0, end: text.length, nextStart: text.length }, idOccurrences),
    );
}

/** Front named (Front, frontapp.com), a Front ID, or a header only Front sends. */
const FRONT_MARK = /\bfront(?:app)?\b(?!-)|x-front-tier/i;

function isAboutFront(text: string, idOccurrences: readonly IdOccurrence[]): boolean {
  charge(text.length);
  return idOccurrences.length > 0 || FRONT_MARK.test(text);
}

function readResponse(
  text: string,
  r: HttpResponse,
  envelopes: readonly Envelope[],
  pages: readonly HtmlPage[],
  used: Set<Envelope | HtmlPage>,
): { span: Span; candidate?: Candidate } {
  const noiseUntil = transportNoiseFrom(text, r.headersEnd, r.limit);
  const envelope = firstInBody(envelopes, r, used, (e) => noiseUntil(e.start) || e.status === r.status);
  const page = envelope ? undefined : firstInBody(pages, r, used, (p) => noiseUntil(p.start));
  const body = envelope || page ? undefined : locateBody(text, r.headersEnd, r.limit);
  if (envelope) used.add(envelope);
  if (page) used.add(page);
  const span = { start: r.start, end: Math.max(r.headersEnd, envelope?.end ?? page?.end ?? body?.end ?? 0) };

  const location = r.headers.get('location');
  const isError = r.status >= 400 || (r.status >= 300 && location !== undefined);
  // A success body that could not be read to its end keeps the rest of its response: nothing there is an error.
  if (!isError) return { span: body && !body.complete ? { start: r.start, end: r.limit } : span };

  const bodyText = body ? text.slice(body.start, body.end).replace(/\s+/g, ' ').trim() : '';
  const quotedHeaders = r.headerLines.filter((h) => QUOTED_HEADERS.has(h.name)).map((h) => h.line);
  const bodyQuote = envelope ? text.slice(envelope.start, envelope.end) : page ? pageQuote(text, page) : bodyText;
  const candidate: Candidate = {
    format: page ? 'html' : 'http',
    start: span.start,
    end: span.end,
    focus: r.start,
    status: r.status,
    title: envelope?.title ?? page?.title ?? r.reason,
    message: envelope?.message ?? page?.message ?? (bodyText ? truncate(bodyText, MAX_BODY_MESSAGE_CHARS) : undefined),
    details: envelope?.details,
    headers: r.headers,
    quote: () => excerpt(r.statusLine, quotedHeaders.join(' '), bodyQuote),
  };
  return { span, candidate };
}

/** The first part (in paste order) that starts in the response's body, is not taken yet and passes `fits`. */
function firstInBody<T extends Envelope | HtmlPage>(
  parts: readonly T[],
  r: HttpResponse,
  used: ReadonlySet<Envelope | HtmlPage>,
  fits: (part: T) => boolean,
): T | undefined {
  for (let i = lowerBound(parts, r.headersEnd, (p) => p.start); i < parts.length; i++) {
    const part = parts[i] as T;
    if (part.start >= r.limit) return undefined;
    if (!used.has(part) && fits(part)) return part;
  }
  return undefined;
}

function envelopeCandidate(text: string, e: Envelope): Candidate {
  return {
    format: 'json',
    start: e.start,
    end: e.end,
    focus: e.start,
    status: e.status,
    title: e.title,
    message: e.message,
    details: e.details,
    // A little of the log line before the body (timestamp, route) helps the reader place it.
    quote: (contextStart) =>
      excerpt(text.slice(leadIn(text, Math.max(contextStart, lineStartAt(text, e.start)), e.start), e.end)),
  };
}

/** Up to 80 characters before `at`, starting on a word, not halfway through one. */
function leadIn(text: string, earliest: number, at: number): number {
  if (at - earliest <= 80) return earliest;
  const from = at - 80;
  const space = text.slice(from, at).search(/[\s,]/);
  return space < 0 ? at : from + space + 1;
}

function pageQuote(text: string, page: HtmlPage): string {
  return text.slice(page.titleStart ?? page.start, page.end);
}

function pageCandidate(text: string, page: HtmlPage): Candidate {
  return {
    format: 'html',
    start: page.start,
    end: page.end,
    focus: page.start,
    status: page.status,
    title: page.title,
    message: page.message,
    quote: () => excerpt(pageQuote(text, page)),
  };
}

function describedCandidate(text: string, d: ResponseDescription): Candidate {
  return {
    format: 'json',
    start: d.start,
    end: d.end,
    focus: d.start,
    status: d.status,
    message: d.message,
    quote: () => excerpt(text.slice(d.start, d.end)),
  };
}

function textCandidate(text: string, hit: TextHit): Candidate {
  return {
    format: 'text',
    start: hit.start,
    end: hit.end,
    focus: hit.focus,
    status: hit.status,
    ...(hit.statusInferred ? { statusInferred: true } : {}),
    title: hit.title,
    message: hit.message,
    quote: () => excerpt(text.slice(leadIn(text, hit.start, hit.focus), hit.end)),
  };
}

/**
 * For each error, the stretch of paste that belongs to it: from the end of whatever precedes it (another
 * error, a successful response) to the end of its last line or the start of whatever follows.
 */
/** The stretch of paste that belongs to an error, and where the next thing in the paste starts. */
type Context = Span & { nextStart: number };

function contextsOf(text: string, errors: readonly Candidate[], quiet: readonly Span[]): Map<Candidate, Context> {
  const marks = [...errors, ...quiet].sort((a, b) => a.start - b.start);
  const contexts = new Map<Candidate, Context>();
  const isError = new Set<Span>(errors);
  let endSoFar = 0;
  marks.forEach((mark, i) => {
    const next = marks[i + 1];
    if (isError.has(mark)) {
      const c = mark as Candidate;
      const end = Math.min(lineEndAt(text, c.end), next?.start ?? text.length);
      const nextStart = next?.start ?? text.length;
      contexts.set(c, { start: Math.min(endSoFar, c.start), end: Math.max(end, c.end), nextStart });
    }
    endSoFar = Math.max(endSoFar, mark.end);
  });
  return contexts;
}

/**
 * A status printed before an envelope that has none (axios `status: 403`), or given just after it: a mocked
 * response's `{ status: 401 }` beside its body (`HttpResponse.json({ _error: … }, { status: 401 })`).
 */
function jsonStatusHint(text: string, c: Candidate, context: Span): number | undefined {
  const before = statusHint(text, context.start, c.focus);
  if (before !== undefined) return before;
  // To the end of the next line, short of another error's body.
  const nextLineEnd = lineEndAt(text, Math.min(text.length, lineEndAt(text, c.end) + 1));
  const after = text.slice(c.end, nextLineEnd);
  charge(after.length);
  const another = after.search(/_error|HTTP\/\d/);
  return statusHint(text, c.end, another < 0 ? nextLineEnd : c.end + another);
}

function idsBetween(occurrences: readonly IdOccurrence[], start: number, end: number): string[] {
  const ids: string[] = [];
  for (let i = lowerBound(occurrences, start, (o) => o.index); i < occurrences.length; i++) {
    const o = occurrences[i] as IdOccurrence;
    if (o.index >= end) break;
    ids.push(o.id);
  }
  return ids;
}

function toObservation(
  text: string,
  c: Candidate,
  context: Context,
  idOccurrences: readonly IdOccurrence[],
): Observation {
  const observation: Observation = { format: c.format, ids: [], excerpt: c.quote(context.start) };
  // Quoting reads at most four times what it keeps (see excerpt); redacting reads the message.
  charge(4 * observation.excerpt.length + 2 * (context.end - context.start) + 4 * (c.message?.length ?? 0));

  const status = c.status ?? (c.format === 'json' ? jsonStatusHint(text, c, context) : undefined);
  if (status !== undefined) observation.status = status;
  if (c.statusInferred) observation.statusInferred = true;
  const title = c.title ?? (c.format === 'json' ? titleHint(text, context.start, c.focus) : undefined);
  if (title) observation.title = redactSecrets(title);
  if (c.message) observation.message = redactSecrets(c.message);
  if (c.details) observation.details = c.details.map(redactSecrets);

  const resource = resourceFromMessage(c.message);
  if (resource) observation.resource = resource;
  // A response's own lines (its Location, its body) are not its request; curl -v shows that before it.
  const requestEnd = c.format === 'http' || c.format === 'html' ? c.focus : context.end;
  const request = findRequest(text, context.start, c.focus, requestEnd);
  if (request) observation.request = request;

  // A client's one-liner prints the response headers on the lines after it (axios' headers object).
  const headersEnd = c.format === 'text' ? Math.min(context.nextStart, context.end + MAX_HEADERS_AFTER) : context.end;
  charge(headersEnd - context.end);
  const headers = c.headers ?? headerPairs(text, context.start, Math.max(context.end, headersEnd));
  const rateLimit = rateLimitFrom(headers);
  if (rateLimit) observation.rateLimit = rateLimit;
  const location = headers.get('location');
  if (location && status !== undefined && status >= 300 && status < 400) observation.location = location;

  const ids = [
    ...(resource?.id && isFrontId(resource.id) ? [resource.id] : []),
    ...idsIn(request?.path ?? ''),
    ...idsIn(observation.location ?? ''),
    ...idsBetween(idOccurrences, c.start, c.end),
  ];
  observation.ids = [...new Set(ids)];
  return observation;
}
