import { STATUS_NUMBER, STATUS_THEN_REASON, statusOfReason } from './reasons';

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
  if (!text.includes('<')) return [];
  const lower = text.toLowerCase();
  const pages: HtmlPage[] = [];
  PAGE_START.lastIndex = 0;
  for (let m = PAGE_START.exec(text); m; m = PAGE_START.exec(text)) {
    const start = m.index;
    const close = lower.indexOf('</html>', start);
    const end = close >= 0 ? close + '</html>'.length : Math.min(text.length, start + MAX_PAGE_CHARS);
    pages.push(describePage(text, lower, start, end));
    PAGE_START.lastIndex = end;
  }
  return pages;
}

function describePage(text: string, lower: string, start: number, end: number): HtmlPage {
  const page: HtmlPage = { start, end };
  const titleTag = elementText(text, lower, 'title', start, end);
  const headEnd = lower.indexOf('</head>', start);
  const bodyFrom = headEnd >= 0 && headEnd < end ? headEnd : start;
  const visible = visibleText(text, lower, bodyFrom, end);
  if (titleTag) page.titleStart = titleTag.start;

  const fromTitle = titleTag ? statusAndReason(titleTag.text) : undefined;
  const fromText = fromTitle?.status === undefined ? statusAndReason(visible) : undefined;
  const status = fromTitle?.status ?? fromText?.status;
  const reason = fromTitle?.reason ?? fromText?.reason;
  if (status !== undefined) page.status = status;
  if (reason) page.title = reason;
  const message = visible || titleTag?.text || '';
  if (message) page.message = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
  return page;
}

/** `502 Bad Gateway`, `api2.frontapp.com | 502: Bad gateway` (Cloudflare), `Service Unavailable`, `Error code 502`. */
function statusAndReason(words: string): { status?: number; reason?: string } | undefined {
  STATUS_THEN_REASON.lastIndex = 0;
  const both = STATUS_THEN_REASON.exec(words);
  if (both?.[1] && both[2]) return { status: Number(both[1]), reason: both[2] };
  const number = STATUS_IN_TEXT.exec(words);
  if (number?.[1]) {
    const after = words.slice(number.index + 3).replace(/^[\s:|\-–]+/, '').trim();
    return { status: Number(number[1]), ...(after && after.length <= 60 ? { reason: after } : {}) };
  }
  const byReason = statusOfReason(words);
  if (byReason !== undefined) return { status: byReason, reason: words.trim() };
  const code = ERROR_CODE.exec(words);
  return code?.[1] ? { status: Number(code[1]) } : undefined;
}

function elementText(text: string, lower: string, tag: string, from: number, to: number): { start: number; text: string } | undefined {
  const open = lower.indexOf(`<${tag}`, from);
  if (open < 0 || open >= to) return undefined;
  const contentStart = lower.indexOf('>', open);
  const close = lower.indexOf(`</${tag}`, contentStart);
  if (contentStart < 0 || close < 0 || close > to) return undefined;
  return { start: open, text: collapse(visibleText(text, lower, contentStart + 1, close)) };
}

/** Text outside tags, scripts and styles, with whitespace collapsed. Walks with indexOf: no regex backtracking on hostile markup. */
function visibleText(text: string, lower: string, from: number, to: number): string {
  const parts: string[] = [];
  let i = from;
  while (i < to) {
    const lt = text.indexOf('<', i);
    if (lt < 0 || lt >= to) {
      parts.push(text.slice(i, to));
      break;
    }
    parts.push(text.slice(i, lt));
    const skipTo = lower.startsWith('<script', lt) ? '</script' : lower.startsWith('<style', lt) ? '</style' : undefined;
    const resume = skipTo ? lower.indexOf(skipTo, lt) : lt;
    const gt = resume < 0 ? -1 : text.indexOf('>', resume);
    if (gt < 0 || gt >= to) break;
    parts.push(' ');
    i = gt + 1;
  }
  return collapse(parts.join(''));
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
