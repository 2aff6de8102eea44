import type { FailedCall } from './schemas';

/** Front's API host, for a call given by its path alone. */
const FRONT_API = 'https://api2.frontapp.com';

/** Headers never written into the paste: they carry credentials, and no rule reads them. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * The failing call as the paste a person would make of it (`curl -v` style: the request line, then Front's status
 * line, headers and body), so the API answers exactly what /front-why would for the same failure.
 */
export function callAsPaste(call: FailedCall): string {
  const target = call.url ?? `${FRONT_API}${call.path ?? '/'}`;
  const headers = Object.entries(call.headers ?? {})
    .filter(([name]) => !SECRET_HEADERS.has(name.toLowerCase()))
    .map(([name, value]) => `${name.replace(/[^A-Za-z0-9-]/g, '')}: ${value.replace(/[\r\n]+/g, ' ')}`);
  if (call.request_id !== undefined) headers.push(`x-request-id: ${call.request_id.replace(/[\r\n]+/g, ' ')}`);
  const body = call.body === undefined ? '' : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
  return [`> ${call.method} ${target} HTTP/1.1`, `< HTTP/1.1 ${call.status}`, ...headers.map((h) => `< ${h}`), '', body]
    .join('\n')
    .trimEnd();
}
