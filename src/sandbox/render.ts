import type { InboxOwner, SeedCompany, SeedConversation, SeedInbox, SeedTag, SeedTeam, SeedTeammate } from './seed';
import { isPrivateConversation } from './access';

/**
 * Resource representations in the shapes of Front's core-api.json. Links are built from the sandbox's
 * own base URL, standing in for https://<company>.api.frontapp.com.
 */

export function teammateJson(base: string, t: SeedTeammate): Record<string, unknown> {
  return {
    _links: {
      self: `${base}/teammates/${t.id}`,
      related: {
        inboxes: `${base}/teammates/${t.id}/inboxes`,
        conversations: `${base}/teammates/${t.id}/conversations`,
      },
    },
    id: t.id,
    email: t.email,
    username: t.username,
    first_name: t.firstName,
    last_name: t.lastName,
    is_admin: t.isAdmin,
    is_available: t.isAvailable,
    is_blocked: t.isBlocked,
    type: 'user',
    license_type: 'full',
    custom_fields: {},
  };
}

export function inboxJson(base: string, inbox: SeedInbox): Record<string, unknown> {
  const owner = inbox.owner.kind === 'team' ? `${base}/teams/${inbox.owner.id}` : `${base}/teammates/${inbox.owner.id}`;
  return {
    _links: {
      self: `${base}/inboxes/${inbox.id}`,
      related: {
        teammates: `${base}/inboxes/${inbox.id}/teammates`,
        conversations: `${base}/inboxes/${inbox.id}/conversations`,
        channels: `${base}/inboxes/${inbox.id}/channels`,
        owner,
      },
    },
    id: inbox.id,
    name: inbox.name,
    is_private: inbox.owner.kind === 'teammate',
    is_public: inbox.isPublic,
    custom_fields: {},
  };
}

export function ownerLink(base: string, owner: InboxOwner): string {
  return owner.kind === 'team' ? `${base}/teams/${owner.id}` : `${base}/teammates/${owner.id}`;
}

export function tagJson(base: string, tag: SeedTag): Record<string, unknown> {
  return {
    _links: {
      self: `${base}/tags/${tag.id}`,
      related: {
        conversations: `${base}/tags/${tag.id}/conversations`,
        owner: tag.owner ? ownerLink(base, tag.owner) : null,
        parent_tag: null,
        children: null,
      },
    },
    id: tag.id,
    name: tag.name,
    description: null,
    highlight: null,
    is_private: tag.owner?.kind === 'teammate',
    is_visible_in_conversation_lists: true,
    created_at: tag.createdAt,
    updated_at: tag.createdAt,
  };
}

export function teamPreviewJson(base: string, team: SeedTeam): Record<string, unknown> {
  return { _links: { self: `${base}/teams/${team.id}` }, id: team.id, name: team.name };
}

export function conversationJson(base: string, c: SeedConversation, company: SeedCompany): Record<string, unknown> {
  const self = `${base}/conversations/${c.id}`;
  const assignee = c.assigneeId ? company.teammates.find((t) => t.id === c.assigneeId) : undefined;
  const tags = c.tagIds
    .map((id) => company.tags.find((t) => t.id === id))
    .filter((t) => t !== undefined)
    .map((t) => tagJson(base, t));
  const json: Record<string, unknown> = {
    _links: {
      self,
      related: {
        events: `${self}/events`,
        followers: `${self}/followers`,
        messages: `${self}/messages`,
        comments: `${self}/comments`,
        inboxes: `${self}/inboxes`,
        last_message: `${base}/messages/${c.lastMessageId}?referer=conversation`,
      },
    },
    id: c.id,
    type: 'conversation',
    subject: c.subject,
    status: c.status,
    ticket_ids: [],
    assignee: assignee ? teammateJson(base, assignee) : null,
    recipient: {
      _links: { related: { contact: `${base}/contacts/${c.recipient.contactId}` } },
      name: c.recipient.name,
      handle: c.recipient.handle,
      role: 'from',
    },
    tags,
    links: [],
    custom_fields: {},
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    is_private: isPrivateConversation(c, company),
    scheduled_reminders: [],
    metadata: {},
  };
  if (c.waitingSince !== undefined) json.waiting_since = c.waitingSince;
  return json;
}

export function listJson(self: string, results: unknown[], next: string | null = null): Record<string, unknown> {
  return { _pagination: { next }, _links: { self }, _results: results };
}
