import { request as httpRequest } from 'node:http';
import { runCliInProcess } from '../cli/helpers';
import { apiContract } from './contract';

const contract = apiContract();

/** `front-why …` in-process with `env`: its exit code, stdout and stderr. */
export const cli = runCliInProcess;

/** A new key from `front-why keys create`, as a script captures it: stdout, trimmed. */
export async function createKey(env: Record<string, string | undefined>, args: string[]): Promise<string> {
  const made = await cli(['keys', 'create', ...args], env);
  if (made.code !== 0) throw new Error(`keys create failed: ${made.stderr}`);
  return made.stdout.trim();
}

export interface ApiReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * POST /v1/diagnose as a client generated from the OpenAPI document would send it: a request body the document
 * does not allow fails the test (unless `unchecked`, for the bodies sent on purpose to be refused), and so does an
 * answer it does not describe.
 */
export async function diagnoseCall(
  baseUrl: string,
  key: string | undefined,
  body: unknown,
  options: { query?: string; headers?: Record<string, string>; unchecked?: boolean } = {},
): Promise<ApiReply> {
  if (!options.unchecked) expect(contract.requestProblems(body)).toEqual([]);
  const res = await fetch(`${baseUrl}/v1/diagnose${options.query ?? ''}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const parsed = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, problems: contract.answerProblems(res.status, parsed) }).toEqual({
    status: res.status,
    problems: [],
  });
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * A POST of `bytes` of body, its length declared up front or (`chunked`) not: the answer, whether the server read the
 * body or refused it from the headers and closed the connection under it.
 */
export function largePost(
  url: string,
  headers: Record<string, string>,
  bytes: number,
  chunked = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: chunked ? headers : { ...headers, 'content-length': String(bytes) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    let answered = false;
    req.on('response', () => (answered = true));
    // The server answers and closes without reading the rest: a write after that fails, which is the point.
    req.on('error', (err) => (answered ? undefined : setTimeout(() => (answered ? undefined : reject(err)), 500)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        const size = Math.min(chunk.length, bytes - sent);
        sent += size;
        if (!req.write(chunk.subarray(0, size))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}
