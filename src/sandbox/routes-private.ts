import { canReadConversation, canReadInbox, canReadOwned, teammateResourcesAccess } from './access';
import { notAllowedToRead, teammateResourcesDenied, unknownId, type Reply } from './errors';
import type { RequestContext, Route } from './route';
import { lookupTeammate } from './lookup';
import { conversationJson, inboxJson, listJson, tagJson } from './render';
import { commentJson, messageJson, ownedJson } from './render-owned';
import type { InboxOwner, OwnedKind, SeedTeammate } from './seed';
import type { ReadPermission } from './tokens';

/**
 * The resources that can belong to one teammate, read one at a time (GET /messages/{message_id}, …) and through
 * a teammate's own listings (GET /teammates/{teammate_id}/tags, …). Templates and permissions as in core-api.json.
 * A private one is refused with Front's conversation wording, `This agent is not allowed to read the "<kind>"
 * with ID: "<id>"` (docs/front-behaviour.md §1: assumed for kinds other than conversations), whether the token
 * lacks the private namespace or the owner has the preference off, exactly as for a conversation.
 */

const ok = (body: unknown): Reply => ({ status: 200, body });

function ownedRoute(kind: OwnedKind, collection: string, param: string, permission: ReadPermission): Route {
  return {
    method: 'GET',
    template: `/${collection}/{${param}}`,
    requiredPermission: permission,
    handle: (ctx) => {
      const id = ctx.params[param] ?? '';
      const found = ctx.company.resources.find((r) => r.kind === kind && r.id === id);
      if (!found) return unknownId(kind.replace('_', ' '), id);
      if (!canReadOwned(ctx.grants, found.owner, ctx.company)) return notAllowedToRead(kind, id);
      return ok(ownedJson(ctx.base, found));
    },
  };
}

const ownedBy = (owner: InboxOwner | undefined, teammate: SeedTeammate): boolean =>
  owner?.kind === 'teammate' && owner.id === teammate.id;

/** A teammate's own listing: refused as a whole while their resources are closed to this token. */
function listingRoute(
  listing: string,
  permission: ReadPermission,
  items: (ctx: RequestContext, teammate: SeedTeammate) => unknown[],
): Route {
  return {
    method: 'GET',
    template: `/teammates/{teammate_id}/${listing}`,
    requiredPermission: permission,
    handle: (ctx) => {
      const given = ctx.params.teammate_id ?? '';
      const teammate = lookupTeammate(ctx.company, given);
      if (!teammate) return unknownId('teammate', given);
      const access = teammateResourcesAccess(ctx.grants, teammate);
      if (access === 'no_private_scope') return notAllowedToRead('teammate', teammate.id);
      if (access === 'preference_off') return teammateResourcesDenied();
      const self = `${ctx.base}/teammates/${teammate.id}/${listing}`;
      return ok(listJson(self, items(ctx, teammate)));
    },
  };
}

const ownedList =
  (kind: OwnedKind) =>
  (ctx: RequestContext, teammate: SeedTeammate): unknown[] =>
    ctx.company.resources
      .filter((r) => r.kind === kind && ownedBy(r.owner, teammate))
      .map((r) => ownedJson(ctx.base, r));

export const PRIVATE_RESOURCE_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '/messages/{message_id}',
    requiredPermission: 'messages:read',
    handle: (ctx) => {
      const id = ctx.params.message_id ?? '';
      const conversation = ctx.company.conversations.find((c) => c.lastMessageId === id);
      if (!conversation) return unknownId('message', id);
      if (!canReadConversation(ctx.grants, conversation, ctx.company)) return notAllowedToRead('message', id);
      return ok(messageJson(ctx.base, conversation));
    },
  },
  {
    method: 'GET',
    template: '/comments/{comment_id}',
    requiredPermission: 'comments:read',
    handle: (ctx) => {
      const id = ctx.params.comment_id ?? '';
      const comment = ctx.company.comments.find((c) => c.id === id);
      const conversation = ctx.company.conversations.find((c) => c.id === comment?.conversationId);
      if (!comment || !conversation) return unknownId('comment', id);
      if (!canReadConversation(ctx.grants, conversation, ctx.company)) return notAllowedToRead('comment', id);
      return ok(commentJson(ctx.base, comment, ctx.company));
    },
  },
  {
    method: 'GET',
    template: '/inboxes/{inbox_id}',
    requiredPermission: 'inboxes:read',
    handle: (ctx) => {
      const id = ctx.params.inbox_id ?? '';
      const inbox = ctx.company.inboxes.find((i) => i.id === id);
      if (!inbox) return unknownId('inbox', id);
      if (!canReadInbox(ctx.grants, inbox, ctx.company)) return notAllowedToRead('inbox', id);
      return ok(inboxJson(ctx.base, inbox));
    },
  },
  {
    method: 'GET',
    template: '/tags/{tag_id}',
    requiredPermission: 'tags:read',
    handle: (ctx) => {
      const id = ctx.params.tag_id ?? '';
      const tag = ctx.company.tags.find((t) => t.id === id);
      if (!tag) return unknownId('tag', id);
      if (!canReadOwned(ctx.grants, tag.owner, ctx.company)) return notAllowedToRead('tag', id);
      return ok(tagJson(ctx.base, tag));
    },
  },
  ownedRoute('contact', 'contacts', 'contact_id', 'contacts:read'),
  ownedRoute('message_template', 'message_templates', 'message_template_id', 'message_templates:read'),
  ownedRoute('signature', 'signatures', 'signature_id', 'signatures:read'),
  ownedRoute('channel', 'channels', 'channel_id', 'channels:read'),
  ownedRoute('rule', 'rules', 'rule_id', 'rules:read'),
  listingRoute('tags', 'tags:read', (ctx, t) =>
    ctx.company.tags.filter((tag) => ownedBy(tag.owner, t)).map((tag) => tagJson(ctx.base, tag)),
  ),
  listingRoute('contacts', 'contacts:read', ownedList('contact')),
  listingRoute('message_templates', 'message_templates:read', ownedList('message_template')),
  listingRoute('signatures', 'signatures:read', ownedList('signature')),
  listingRoute('channels', 'channels:read', ownedList('channel')),
  listingRoute('rules', 'rules:read', ownedList('rule')),
  listingRoute('private_inboxes', 'inboxes:read', (ctx, t) =>
    ctx.company.inboxes.filter((i) => ownedBy(i.owner, t)).map((i) => inboxJson(ctx.base, i)),
  ),
  listingRoute('inboxes', 'inboxes:read', (ctx, t) =>
    ctx.company.inboxes
      .filter((i) => ownedBy(i.owner, t) || (i.owner.kind === 'team' && teamHas(ctx, i.owner.id, t)))
      .map((i) => inboxJson(ctx.base, i)),
  ),
  listingRoute('conversations', 'conversations:read', (ctx, t) =>
    ctx.company.conversations
      .filter((c) => c.assigneeId === t.id && canReadConversation(ctx.grants, c, ctx.company))
      .map((c) => conversationJson(ctx.base, c, ctx.company)),
  ),
];

function teamHas(ctx: RequestContext, teamId: string, teammate: SeedTeammate): boolean {
  return ctx.company.teams.some((team) => team.id === teamId && team.memberIds.includes(teammate.id));
}
