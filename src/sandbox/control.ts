import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompanyKey, SeedCompany } from './seed';

/**
 * The operator's controls of a running sandbox, under /_sandbox/ (a path Front never uses). Only from the machine
 * itself: a sandbox bound to another address still lets nobody else change its teammates. A web page open on the
 * same machine is not the operator either: a request must name a loopback Host (a rebound DNS name does not), come
 * from no other Origin, and a change must be sent as JSON, which a page cannot send across sites without a
 * preflight the sandbox never answers.
 *
 *   GET  /_sandbox/teammates                        every teammate and their preference
 *   POST /_sandbox/teammates/{id or email}/api-access   body {"allowed": true|false}
 */
export const CONTROL_PREFIX = '/_sandbox/';

const MAX_BODY_BYTES = 1024;

export interface ControlContext {
  companies: Record<CompanyKey, SeedCompany>;
  setApiAccess(teammate: string, allowed: boolean): void;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** `127.0.0.1:4010`, `localhost`, `[::1]:4010`: a Host header naming this machine, and nothing else. */
export function isLoopbackHost(host: string | undefined): boolean {
  const name = /^(\[::1\]|[a-z0-9.]+)(?::\d{1,5})?$/i.exec(host?.trim() ?? '')?.[1]?.toLowerCase();
  return name === 'localhost' || name === '[::1]' || (name !== undefined && /^127(?:\.\d{1,3}){3}$/.test(name));
}

/** A request sent by a page of another site carries its Origin; the CLI and curl send none. */
function foreignOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return false;
  try {
    return !isLoopbackHost(new URL(origin).host);
  } catch {
    return true;
  }
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/json\s*(?:;|$)/i.test(contentType?.trim() ?? '');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function teammates(ctx: ControlContext) {
  return Object.entries(ctx.companies).flatMap(([company, c]) =>
    c.teammates.map((t) => ({
      company,
      id: t.id,
      email: t.email,
      name: `${t.firstName} ${t.lastName}`,
      apiAccessToIndividualResources: t.apiAccessToIndividualResources,
    })),
  );
}

export async function handleControl(
  ctx: ControlContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) {
    reply(res, 403, { error: 'the sandbox controls answer only requests from this machine (loopback)' });
    return;
  }
  if (!isLoopbackHost(req.headers.host) || foreignOrigin(req.headers.origin)) {
    reply(res, 403, {
      error: 'the sandbox controls answer only requests addressed to 127.0.0.1, localhost or [::1], from no other site',
    });
    return;
  }
  const method = req.method ?? 'GET';
  if (path === '/_sandbox/teammates' && method === 'GET') {
    reply(res, 200, { teammates: teammates(ctx) });
    return;
  }
  const access = /^\/_sandbox\/teammates\/([^/]+)\/api-access$/.exec(path);
  if (access && method === 'POST') {
    if (!isJson(req.headers['content-type'])) {
      reply(res, 415, { error: 'send the body as content-type: application/json' });
      return;
    }
    const raw = await readBody(req);
    let allowed: unknown;
    try {
      allowed = raw === undefined ? undefined : (JSON.parse(raw) as { allowed?: unknown }).allowed;
    } catch {
      allowed = undefined;
    }
    if (typeof allowed !== 'boolean') {
      reply(res, 400, { error: 'send a JSON body {"allowed": true} or {"allowed": false}' });
      return;
    }
    const who = decodeURIComponent(access[1] ?? '');
    try {
      ctx.setApiAccess(who, allowed);
    } catch (err) {
      reply(res, 404, { error: (err as Error).message });
      return;
    }
    const found = teammates(ctx).find((t) => t.id === who || t.email.toLowerCase() === who.toLowerCase());
    reply(res, 200, { teammate: found });
    return;
  }
  reply(res, 404, {
    error: 'unknown sandbox control: GET /_sandbox/teammates or POST /_sandbox/teammates/{id or email}/api-access',
  });
}
