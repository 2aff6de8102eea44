import { charge } from './work';

/**
 * Whether a line is about another service's API: it links only to hosts that are not Front's
 * (`… Forbidden for url: https://api.tech26.de/oauth/token`), or it names another vendor's API in code
 * (`Heroku::API::Errors::Forbidden`). A generic status or wording on such a line is that service's error, not
 * Front's. Local and bare hosts (a proxy, the sandbox) decide nothing.
 */
const URL_HOST = /\bhttps?:\/\/([a-z0-9.-]+)/gi;
const VENDOR_API_NAMESPACE = /\b([A-Z][A-Za-z0-9]*)(?:::|\.)API(?:::|\.)/g;
const FRONT_HOST = /(?:^|\.)(?:frontapp|front)\.com$/i;
const FRONT_NAME = /^front/i;
const LOCAL_HOST = /^(?:localhost|[\d.]+)$|^[^.]*$/i;

export function namesAnotherService(line: string): boolean {
  charge(2 * line.length);
  let foreignHost = false;
  for (const m of line.matchAll(URL_HOST)) {
    const host = (m[1] ?? '').replace(/\.+$/, '');
    if (FRONT_HOST.test(host)) return false;
    if (!LOCAL_HOST.test(host)) foreignHost = true;
  }
  if (foreignHost) return true;
  for (const m of line.matchAll(VENDOR_API_NAMESPACE)) if (!FRONT_NAME.test(m[1] ?? '')) return true;
  return false;
}
