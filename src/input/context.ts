import { asStatus } from './envelope';
import { lineEndAt, lineStartAt } from './lines';
import { matchesIn } from './range-search';
import { trimEndWhere } from './trim';
import { charge } from './work';

/**
 * What the text around an error says about it: the request that failed, a status printed next to the body,
 * rate-limit headers printed as a dict or hash. Each lookup is bounded to the stretch of paste that belongs
 * to one error, so a log of several failing calls does not lend one call's request to another.
 */

export interface RequestInfo {
  method?: string;
  path?: string;
}

interface RequestClue {
  index: number;
  method?: string;
  path?: string;
}

const METHODS = 'GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS';
const METHOD_AND_TARGET = new RegExp(String.raw`\b(${METHODS})[ \t]+(https?:\/\/[^\s"'<>\x60]+|\/[^\s"'<>\x60]*)`, 'g');
const URL_AFTER_KEY = /\b(?:url|uri|path)["']?[ \t]*(?::|=>|=)[ \t]*["']?(https?:\/\/[^\s"'<>`]+|\/[^\s"'<>`]*)/gi;
const FRONT_API_URL = /https?:\/\/(?:api2?|[a-z0-9-]+\.api)\.frontapp\.com\/[^\s"'<>`|]+/gi;
const METHOD_KEY = new RegExp(String.raw`\bmethod["']?[ \t]*(?::|=>|=)[ \t]*["']?:?(${METHODS})\b`, 'gi');
const CURL_METHOD = new RegExp(String.raw`(?:-X|--request)[ \t]*["']?(${METHODS})\b`, 'g');
const CURL_DATA = /[ \t](?:-d|--data(?:-raw|-binary|-urlencode)?|-F|--form|--json)\b/;

const isSentencePunctuation = (c: string): boolean => '.,;:)]}\'"'.includes(c);

/** A URL cut short where it was shown (`https://api2.frontapp.com/c...`, an issue title): its tail is not a path. */
const CUT_SHORT = /(?:\.{3}|…)[)\]}'",;:]*$/;

/**
 * Just the path: no scheme, host, query or fragment, no trailing punctuation from the sentence around it. None
 * when the path itself was cut short: what is left of it is no request anyone made.
 */
export function pathOf(target: string): string | undefined {
  charge(3 * target.length);
  let path = target.replace(/^https?:\/\/[^/?#]*/i, '');
  if (!/[?#]/.test(path) && CUT_SHORT.test(path)) return undefined;
  path = trimEndWhere(path.replace(/[?#].*$/, ''), isSentencePunctuation);
  return path === '' ? '/' : path;
}

/**
 * The method a curl command on the line around `at` uses, reading only the line's part in [from, to) (the
 * stretch being searched), once per line: a log line may hold many Front URLs.
 */
function curlMethod(
  text: string,
  at: number,
  from: number,
  to: number,
  byLine: Map<number, string | undefined>,
): string | undefined {
  const lineStart = Math.max(lineStartAt(text, at), from);
  if (byLine.has(lineStart)) return byLine.get(lineStart);
  const line = text.slice(lineStart, Math.min(lineEndAt(text, at), to));
  charge(4 * line.length);
  let method: string | undefined;
  if (/\bcurl\b/.test(line)) {
    CURL_METHOD.lastIndex = 0;
    method = CURL_METHOD.exec(line)?.[1] ?? (CURL_DATA.test(line) ? 'POST' : 'GET');
  }
  byLine.set(lineStart, method);
  return method;
}

function requestClues(text: string, from: number, to: number): RequestClue[] {
  const clues: RequestClue[] = [];
  // Where the targets already read start, so a Front URL is not read a second time on its own.
  const targetsRead = new Set<number>();
  const targetStart = (m: RegExpExecArray, target: string): number => m.index + m[0].length - target.length;
  for (const m of matchesIn(METHOD_AND_TARGET, text, from, to)) {
    const target = m[2] ?? '';
    targetsRead.add(targetStart(m, target));
    clues.push({ index: m.index, method: m[1], path: pathOf(target) });
  }
  for (const m of matchesIn(URL_AFTER_KEY, text, from, to)) {
    const target = m[1] ?? '';
    targetsRead.add(targetStart(m, target));
    clues.push({ index: m.index, path: pathOf(target) });
  }
  const curlLines = new Map<number, string | undefined>();
  for (const m of matchesIn(FRONT_API_URL, text, from, to)) {
    if (!targetsRead.has(m.index))
      clues.push({ index: m.index, path: pathOf(m[0]), method: curlMethod(text, m.index, from, to, curlLines) });
  }
  for (const m of matchesIn(METHOD_KEY, text, from, to))
    clues.push({ index: m.index, method: (m[1] ?? '').toUpperCase() });
  for (const m of matchesIn(CURL_METHOD, text, from, to)) clues.push({ index: m.index, method: m[1] });
  return clues.sort((a, b) => a.index - b.index);
}

/** True when [from, to) shows a request being made: a second call has started. */
export function mentionsRequest(text: string, from: number, to: number): boolean {
  return requestClues(text, from, to).some((c) => c.path !== undefined);
}

/**
 * The request behind an error anchored at `anchor`, looked for in [from, to): the last one shown before the
 * anchor, else the first after it (a Python `HTTPError … for url:` line printed after the body).
 */
export function findRequest(text: string, from: number, anchor: number, to: number): RequestInfo | undefined {
  const clues = requestClues(text, from, to);
  const before = clues.filter((c) => c.index < anchor);
  const after = clues.filter((c) => c.index >= anchor);
  const pick = (list: RequestClue[], last: boolean): RequestClue | undefined => {
    const withPath = list.filter((c) => c.path !== undefined);
    return last ? withPath[withPath.length - 1] : withPath[0];
  };
  const chosen = pick(before, true) ?? pick(after, false);
  const methodClues = chosen ? clues : [...before, ...after];
  const method =
    chosen?.method ??
    nearest(
      methodClues.filter((c) => c.method !== undefined),
      chosen?.index ?? anchor,
    )?.method;
  if (!chosen && !method) return undefined;
  const request: RequestInfo = {};
  if (method) request.method = method;
  if (chosen?.path) request.path = chosen.path;
  return request;
}

function nearest(clues: RequestClue[], index: number): RequestClue | undefined {
  let best: RequestClue | undefined;
  for (const c of clues) if (!best || Math.abs(c.index - index) < Math.abs(best.index - index)) best = c;
  return best;
}

const STATUS_HINTS = [
  /\b(?:status(?:[ _-]?code)?|statusCode|http[ \t]+status|responded with status)["']?[ \t]*(?::|=>|=|is|of)?[ \t]*["']?:?([1-5]\d\d)(?!\d)/gi,
  /(?<![\w.:/-])([45]\d\d)[ \t]+(?:Client|Server)[ \t]+Error\b/g,
];
const STATUS_TEXT_HINT = /\bstatus_?text["']?[ \t]*(?::|=>|=)[ \t]*["']([^"'\n]{1,60})["']/gi;

/** A 3xx–5xx printed before an envelope that has no status of its own (axios `status: 403`, Faraday `:status=>403`). */
export function statusHint(text: string, from: number, to: number): number | undefined {
  let best: { index: number; status: number } | undefined;
  for (const pattern of STATUS_HINTS) {
    for (const m of matchesIn(pattern, text, from, to)) {
      const status = asStatus(Number(m[1]));
      if (status !== undefined && status >= 300 && (!best || m.index > best.index)) best = { index: m.index, status };
    }
  }
  return best?.status;
}

/** axios `statusText: 'Forbidden'`. */
export function titleHint(text: string, from: number, to: number): string | undefined {
  const found = matchesIn(STATUS_TEXT_HINT, text, from, to);
  return found[found.length - 1]?.[1]?.trim() || undefined;
}

const HEADER_PAIR =
  /\b(x-ratelimit-limit|x-ratelimit-remaining|x-ratelimit-reset|retry-after|x-front-tier|location)["']?[ \t]*(?::|=>|=)[ \t]*["']?([^\s"',}\]]+)/gi;

/** Headers printed as `name: value`, a Python dict, a JS object or a Ruby hash; the last one shown wins. */
export function headerPairs(text: string, from: number, to: number): Map<string, string> {
  const headers = new Map<string, string>();
  for (const m of matchesIn(HEADER_PAIR, text, from, to)) {
    if (m[1] && m[2]) headers.set(m[1].toLowerCase(), m[2]);
  }
  return headers;
}
