import { canReadConversation, canReadInbox, inboxesOf, visibleTeams } from './access';
import { errorReply, notAllowedToRead, unknownId, type Reply } from './errors';
import { conversationJson, inboxJson, listJson, teammateJson, teamPreviewJson } from './render';
import { lookupTeammate } from './lookup';
import { PRIVATE_RESOURCE_ROUTES } from './routes-private';
import type { RequestContext, Route } from './route';
import type { SeedCompany, SeedConversation } from './seed';

/**
 * The endpoints the probes use. Templates and permissions are spelled as in core-api.json
 * (`x-required-scopes`), so a test can hold this table against the spec.
 */

type ConversationLookup =
  { kind: 'found'; conversation: SeedConversation } | { kind: 'merged'; into: string } | { kind: 'unknown' };

function lookupConversation(company: SeedCompany, id: string): ConversationLookup {
  let target = id;
  // Follow merge chains so a redirect always lands on a live conversation.
  for (let hops = 0; company.merged[target] !== undefined && hops < 10; hops++)
    target = company.merged[target] as string;
  if (target !== id) return { kind: 'merged', into: target };
  const conversation = company.conversations.find((c) => c.id === id);
  return conversation ? { kind: 'found', conversation } : { kind: 'unknown' };
}

/** Shared by the conversation routes: 404, 301, or the access rule, before the route's own answer. */
function withConversation(ctx: RequestContext, suffix: string, answer: (c: SeedConversation) => Reply): Reply {
  const id = ctx.params.conversation_id ?? '';
  const found = lookupConversation(ctx.company, id);
  if (found.kind === 'unknown') return unknownId('conversation', id);
  if (found.kind === 'merged') {
    return { status: 301, headers: { location: `${ctx.base}/conversations/${found.into}${suffix}` } };
  }
  if (!canReadConversation(ctx.grants, found.conversation, ctx.company)) return notAllowedToRead('conversation', id);
  return answer(found.conversation);
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

function paginate<T>(ctx: RequestContext, path: string, items: T[]): { page: T[]; next: string | null } | Reply {
  const limitParam = ctx.query.get('limit');
  const limit = limitParam === null ? DEFAULT_PAGE_SIZE : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    return errorReply(400, `Query parameter limit must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  }
  const token = ctx.query.get('page_token');
  const offset = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) return errorReply(400, 'Invalid page_token');
  const page = items.slice(offset, offset + limit);
  const nextOffset = offset + limit;
  const next =
    nextOffset < items.length
      ? `${ctx.base}${path}?limit=${limit}&page_token=${Buffer.from(String(nextOffset)).toString('base64url')}`
      : null;
  return { page, next };
}

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '/me',
    requiredPermission: null,
    handle: (ctx) => ({
      status: 200,
      body: { _links: { self: `${ctx.base}/me` }, id: ctx.company.id, name: ctx.company.name },
    }),
  },
  {
    method: 'GET',
    template: '/conversations/{conversation_id}',
    requiredPermission: 'conversations:read',
    handle: (ctx) =>
      withConversation(ctx, '', (c) => ({ status: 200, body: conversationJson(ctx.base, c, ctx.company) })),
  },
  {
    method: 'GET',
    template: '/conversations/{conversation_id}/inboxes',
    requiredPermission: 'inboxes:read',
    handle: (ctx) =>
      withConversation(ctx, '/inboxes', (c) => {
        const inboxes = inboxesOf(c, ctx.company).filter((i) => canReadInbox(ctx.grants, i, ctx.company));
        return {
          status: 200,
          body: listJson(
            `${ctx.base}/conversations/${c.id}/inboxes`,
            inboxes.map((i) => inboxJson(ctx.base, i)),
          ),
        };
      }),
  },
  {
    method: 'GET',
    template: '/teammates',
    requiredPermission: 'teammates:read',
    handle: (ctx) => {
      // Front's OpenAPI gives the list of teammates no parameters: every teammate at once. Asked for pages
      // (limit, page_token), the sandbox still pages it, as it does every list.
      const paging = ctx.query.has('limit') || ctx.query.has('page_token');
      const paged = paging
        ? paginate(ctx, '/teammates', ctx.company.teammates)
        : { page: ctx.company.teammates, next: null };
      if ('status' in paged) return paged;
      return {
        status: 200,
        body: listJson(
          `${ctx.base}/teammates`,
          paged.page.map((t) => teammateJson(ctx.base, t)),
          paged.next,
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/teammates/{teammate_id}',
    requiredPermission: 'teammates:read',
    handle: (ctx) => {
      const given = ctx.params.teammate_id ?? '';
      const teammate = lookupTeammate(ctx.company, given);
      return teammate ? { status: 200, body: teammateJson(ctx.base, teammate) } : unknownId('teammate', given);
    },
  },
  {
    method: 'GET',
    template: '/teams',
    requiredPermission: 'teams:read',
    handle: (ctx) => ({
      status: 200,
      body: listJson(
        `${ctx.base}/teams`,
        visibleTeams(ctx.grants, ctx.company).map((t) => teamPreviewJson(ctx.base, t)),
      ),
    }),
  },
  ...PRIVATE_RESOURCE_ROUTES,
];

const COMPILED = ROUTES.map((route) => {
  const names: string[] = [];
  const pattern = route.template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, regex: new RegExp(`^${pattern}$`) };
});

export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | null {
  for (const { route, names, regex } of COMPILED) {
    if (route.method !== method) continue;
    const m = regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
    } catch {
      return null;
    }
    return { route, params };
  }
  return null;
}
