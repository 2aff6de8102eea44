import { STATUS_NUMBER, STATUS_THEN_REASON, statusOfReason } from './reasons';
import { charge } from './work';

/** An HTML page in the paste, typically a 502/503 page from the edge in front of Front's API. */
export interface HtmlPage {
  start: number;
  end: number;
  status?: number;
  /** The reason phrase (`Bad Gateway`). */
  title?: string;
  /** The page's visible text, shortened. */
  message?: string;
  /** Where `<title>` starts, for the excerpt. */
  titleStart?: number;
}

const PAGE_START = /<(?:!doctype[ \t]+html|html[\s>]|head>|body[\s>]|title>)/gi;
/** A page without `</html>` (cut short) is taken to end here at most. */
const MAX_PAGE_CHARS = 16 * 1024;
const MAX_MESSAGE_CHARS = 300;
const STATUS_IN_TEXT = new RegExp(STATUS_NUMBER);
const ERROR_CODE = /\bError(?:[ \t]+code)?[ \t:]*([45]\d\d)\b/i;

export function findHtmlPages(text: string): HtmlPage[] {
  charge(text.length);
  if (!text.includes('<')) return [];
  const lower = text.toLowerCase();
  // Past the last `</html>`, a page runs to its size limit; looking for its end would read to the paste's end.
  const lastClose = lower.lastIndexOf('</html>');
  charge(text.length);
  const pages: HtmlPage[] = [];
  PAGE_START.lastIndex = 0;
  for (let from = 0, m = PAGE_START.exec(text); m; m = PAGE_START.exec(text)) {
    charge(PAGE_START.lastIndex - from);
    const start = m.index;
    const close = start <= lastClose ? lower.indexOf('</html>', start) : -1;
    charge(close >= 0 ? close - start : 0);
    const end = close >= 0 ? close + '</html>'.length : Math.min(text.length, start + MAX_PAGE_CHARS);
    // Everything about a page is read from its own text: a search for a tag it lacks stops at its end.
    pages.push(describePage(text.slice(start, end), lower.slice(start, end), start));
    PAGE_START.lastIndex = end;
    from = end;
  }
  charge(text.length - (pages[pages.length - 1]?.end ?? 0));
  return pages;
}

/** A page from its own text (`page`, `lower`), with positions shifted by `offset` back into the paste. */
function describePage(page: string, lower: string, offset: number): HtmlPage {
  charge(2 * page.length);
  const found: HtmlPage = { start: offset, end: offset + page.length };
  const titleTag = elementText(page, lower, 'title');
  const headEnd = lower.indexOf('</head>');
  const visible = visibleText(page, lower, Math.max(headEnd, 0), page.length);
  charge(4 * visible.length);
  if (titleTag) found.titleStart = offset + titleTag.start;

  const fromTitle = titleTag ? statusAndReason(titleTag.text) : undefined;
  const fromText = fromTitle?.status === undefined ? statusAndReason(visible) : undefined;
  const status = fromTitle?.status ?? fromText?.status;
  const reason = fromTitle?.reason ?? fromText?.reason;
  if (status !== undefined) found.status = status;
  if (reason) found.title = reason;
  const message = visible || titleTag?.text || '';
  if (message)
    found.message = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
  return found;
}

/** `502 Bad Gateway`, `api2.frontapp.com | 502: Bad gateway` (Cloudflare), `Service Unavailable`, `Error code 502`. */
function statusAndReason(words: string): { status?: number; reason?: string } | undefined {
  STATUS_THEN_REASON.lastIndex = 0;
  const both = STATUS_THEN_REASON.exec(words);
  if (both?.[1] && both[2]) return { status: Number(both[1]), reason: both[2] };
  const number = STATUS_IN_TEXT.exec(words);
  if (number?.[1]) {
    const after = words
      .slice(number.index + 3)
      .replace(/^[\s:|\-–]+/, '')
      .trim();
    return { status: Number(number[1]), ...(after && after.length <= 60 ? { reason: after } : {}) };
  }
  const byReason = statusOfReason(words);
  if (byReason !== undefined) return { status: byReason, reason: words.trim() };
  const code = ERROR_CODE.exec(words);
  return code?.[1] ? { status: Number(code[1]) } : undefined;
}

function elementText(page: string, lower: string, tag: string): { start: number; text: string } | undefined {
  const open = lower.indexOf(`<${tag}`);
  if (open < 0) return undefined;
  const contentStart = lower.indexOf('>', open);
  const close = lower.indexOf(`</${tag}`, contentStart);
  if (contentStart < 0 || close < 0) return undefined;
  return { start: open, text: collapse(visibleText(page, lower, contentStart + 1, close)) };
}

/** Text outside tags, scripts and styles, with whitespace collapsed. Walks with indexOf: no regex backtracking on hostile markup. */
function visibleText(page: string, lower: string, from: number, to: number): string {
  const parts: string[] = [];
  let i = from;
  while (i < to) {
    const lt = page.indexOf('<', i);
    if (lt < 0 || lt >= to) {
      parts.push(page.slice(i, to));
      break;
    }
    parts.push(page.slice(i, lt));
    const skipTo = lower.startsWith('<script', lt)
      ? '</script'
      : lower.startsWith('<style', lt)
        ? '</style'
        : undefined;
    const resume = skipTo ? lower.indexOf(skipTo, lt) : lt;
    const gt = resume < 0 ? -1 : page.indexOf('>', resume);
    if (gt < 0 || gt >= to) break;
    parts.push(' ');
    i = gt + 1;
  }
  return collapse(parts.join(''));
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
