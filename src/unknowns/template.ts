import { createHash } from 'node:crypto';
import { withoutControls } from '../controls';
import { redactSecrets } from '../redact';

/**
 * A Front error's wording as a template: what stays the same each time the error is seen (the words), with what
 * varies or identifies someone masked (IDs, numbers, emails, the variable parts of URLs, secrets). The same wording
 * from two companies is one template, and a template holds nothing that names a person or opens an account.
 */

export const MASKS = {
  id: '<id>',
  number: '<n>',
  email: '<email>',
  value: '<value>',
} as const;

const MAX_TEMPLATE = 500;

const EMAIL = /[^\s"'<>()[\]{},;:/\\]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const URL = /\bhttps?:\/\/[^\s"'<>)\]}]+/gi;
/** A Front ID (`cnv_1a2b`), or any prefix_ word whose tail holds a digit (an ID of a kind not listed). */
const FRONT_ID =
  /\b(?:(?:cnv|msg|inb|tea|tim|cha|tag|cmp|com|crd|rsp|sig|rul|top|lnk|fld|acc|evt|ctg)_[0-9a-z]+|[a-z]{2,4}_[0-9a-z]*\d[0-9a-z]*)\b/gi;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const LONG_HEX = /\b[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*\b/gi;
const NUMBER = /\d+(?:[.,]\d+)*/g;

/** Host and the fixed words of the path stay; IDs and numbers in it are masked, the query's values too. */
function maskUrl(url: string): string {
  const [head, query] = url.split('?', 2) as [string, string | undefined];
  const match = /^(https?:\/\/)([^/]+)(.*)$/i.exec(head);
  if (!match) return url;
  const [, scheme, host, path] = match as unknown as [string, string, string, string];
  // A company's own API host (acme.api.frontapp.com) names the company.
  const shownHost = host.replace(/^[^.]+(?=\.api\.frontapp\.com$)/i, MASKS.value);
  const shownPath = path
    .split('/')
    .map((segment) => (/\d/.test(segment) || segment.includes('%') ? MASKS.id : segment))
    .join('/');
  const shownQuery =
    query === undefined
      ? ''
      : `?${query
          .split('&')
          .map((pair) => `${pair.split('=')[0]}=${MASKS.value}`)
          .join('&')}`;
  return `${scheme}${shownHost}${shownPath}${shownQuery}`;
}

/** Stands for a URL while the other masks run: private-use, so no paste holds it and no mask matches it. */
const URL_SLOT = '\uE000';

export function wordingTemplate(text: string): string {
  // Secrets first: a token split by the masks below would no longer look like one.
  let out = redactSecrets(withoutControls(text).replaceAll(URL_SLOT, ' '), { pairs: true });
  out = out.replace(EMAIL, MASKS.email);
  const urls: string[] = [];
  // URLs are masked by their own rule, then kept out of the number and ID masks.
  out = out.replace(URL, (url) => {
    urls.push(maskUrl(url));
    return URL_SLOT;
  });
  out = out
    .replace(UUID, MASKS.id)
    .replace(FRONT_ID, MASKS.id)
    .replace(LONG_HEX, (hex) => (hex.length >= 8 ? MASKS.id : hex))
    .replace(NUMBER, MASKS.number);
  out = out.replace(new RegExp(URL_SLOT, 'g'), () => urls.shift() ?? '');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_TEMPLATE ? `${out.slice(0, MAX_TEMPLATE - 1)}…` : out;
}

/** "u" and 12 hex digits of the template's SHA-256: the same wording has the same id on every host. */
export function wordingId(template: string, status: number | null): string {
  return `u${createHash('sha256')
    .update(`${status ?? ''}\n${template}`)
    .digest('hex')
    .slice(0, 12)}`;
}
