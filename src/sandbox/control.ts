import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompanyKey, SeedCompany } from './seed';

/**
 * The operator's controls of a running sandbox, under /_sandbox/ (a path Front never uses). Only from the machine
 * itself: a sandbox bound to another address still lets nobody else change its teammates.
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
  const method = req.method ?? 'GET';
  if (path === '/_sandbox/teammates' && method === 'GET') {
    reply(res, 200, { teammates: teammates(ctx) });
    return;
  }
  const access = /^\/_sandbox\/teammates\/([^/]+)\/api-access$/.exec(path);
  if (access && method === 'POST') {
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
