export const DEFAULT_FRONT_BASE_URL = 'https://api2.frontapp.com';

export type BaseUrlResult = { ok: true; url: URL } | { ok: false; message: string };

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine, so plain http is acceptable. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  // WHATWG URL parsing already normalised shorthand forms (127.1, 0x7f.1) to dotted quads.
  const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return quad !== null && quad[1] === '127' && quad.slice(2).every((part) => Number(part) <= 255);
}

/** A remote service whose secret travels with every request to the URL an operator configures. */
export interface ServiceUrlRules {
  /** How messages name the URL, e.g. "the Front base URL". */
  label: string;
  /** What the URL receives, e.g. "the API token". */
  secret: string;
  example: string;
}

const FRONT_API: ServiceUrlRules = {
  label: 'the Front base URL',
  secret: 'the API token',
  example: DEFAULT_FRONT_BASE_URL,
};

/**
 * Checks an operator-supplied service URL. A secret is sent to this host, so it must be https unless it is
 * loopback (a local stand-in), and it may not carry credentials, a query or a fragment that would end up in
 * every request or in logs. The returned URL has no trailing slash in its path.
 */
export function validateServiceUrl(input: string | URL, rules: ServiceUrlRules): BaseUrlResult {
  const { label, secret, example } = rules;
  let url: URL;
  try {
    url = new URL(String(input).trim());
  } catch {
    return { ok: false, message: `${label} is not an absolute URL; use e.g. ${example}` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: `${label} must not contain a user name or password; ${secret} is sent separately` };
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: `${label} ${shown} must use https` };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return {
      ok: false,
      message: `${label} ${shown} must use https: plain http is only allowed for loopback hosts (127.0.0.1, ::1, localhost), since ${secret} travels with every request`,
    };
  }
  if (url.search !== '' || url.hash !== '') {
    return { ok: false, message: `${label} ${shown} must not contain a query (?…) or fragment (#…)` };
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return { ok: true, url };
}

/** The Front base URL: the customer's token goes there. */
export function validateBaseUrl(input: string | URL): BaseUrlResult {
  return validateServiceUrl(input, FRONT_API);
}
