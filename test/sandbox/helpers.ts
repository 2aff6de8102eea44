import { request } from 'undici';
import type { Sandbox } from '../../src/sandbox';
import type { TokenName } from '../../src/sandbox';

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

/** GET over real HTTP. `token` is a sandbox token name, or a raw Authorization header via `authorization`. */
export async function get(
  sandbox: Sandbox,
  path: string,
  opts: { token?: TokenName; authorization?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${sandbox.tokens[opts.token]}`;
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  const res = await request(`${sandbox.url}${path}`, {
    method: 'GET',
    headers,
    headersTimeout: opts.timeoutMs ?? 10_000,
    bodyTimeout: opts.timeoutMs ?? 10_000,
  });
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: flat, text, json };
}

export function errorOf(res: HttpResult): { status?: number; title?: string; message?: string } {
  return ((res.json as { _error?: object } | undefined)?._error ?? {}) as {
    status?: number;
    title?: string;
    message?: string;
  };
}

/** A clock the test moves by hand. */
export function manualClock(startMs = Date.UTC(2026, 0, 15, 9, 30, 0)): {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
} {
  let t = startMs;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}
