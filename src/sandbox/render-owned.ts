import type { SeedComment, SeedCompany, SeedConversation, SeedOwned } from './seed';
import { ownerLink, teammateJson } from './render';

/**
 * Representations of the resources that can belong to one teammate, in the shapes of Front's core-api.json
 * (MessageResponse, CommentResponse, ContactResponse, MessageTemplateResponse, SignatureResponse,
 * ChannelResponse, RuleResponse).
 */

export function messageJson(base: string, c: SeedConversation): Record<string, unknown> {
  return {
    _links: {
      self: `${base}/messages/${c.lastMessageId}`,
      related: { conversation: `${base}/conversations/${c.id}` },
    },
    id: c.lastMessageId,
    type: 'email',
    is_inbound: true,
    created_at: c.updatedAt,
    subject: c.subject,
    blurb: c.subject,
    recipients: [
      {
        _links: { related: { contact: `${base}/contacts/${c.recipient.contactId}` } },
        name: c.recipient.name,
        handle: c.recipient.handle,
        role: 'from',
      },
    ],
    body: `<p>${c.subject}</p>`,
    text: c.subject,
    attachments: [],
    metadata: {},
  };
}

export function commentJson(base: string, comment: SeedComment, company: SeedCompany): Record<string, unknown> {
  const author = company.teammates.find((t) => t.id === comment.authorId);
  return {
    _links: {
      self: `${base}/comments/${comment.id}`,
      related: {
        conversation: `${base}/conversations/${comment.conversationId}`,
        mentions: `${base}/comments/${comment.id}/mentions`,
        comment_replied_to: null,
      },
    },
    id: comment.id,
    author: author ? teammateJson(base, author) : null,
    body: comment.body,
    posted_at: comment.postedAt,
    attachments: [],
    is_pinned: false,
  };
}

/** One of a teammate's or a workspace's contacts, message templates, signatures, channels or rules. */
export function ownedJson(base: string, r: SeedOwned): Record<string, unknown> {
  const owner = ownerLink(base, r.owner);
  const isPrivate = r.owner.kind === 'teammate';
  switch (r.kind) {
    case 'contact':
      return {
        _links: {
          self: `${base}/contacts/${r.id}`,
          related: {
            notes: `${base}/contacts/${r.id}/notes`,
            conversations: `${base}/contacts/${r.id}/conversations`,
            owner,
          },
        },
        id: r.id,
        name: r.name,
        description: '',
        links: [],
        groups: [],
        lists: [],
        handles: [],
        custom_fields: {},
        is_private: isPrivate,
      };
    case 'message_template':
      return {
        _links: { self: `${base}/message_templates/${r.id}`, related: { owner, parent_folder: null } },
        id: r.id,
        name: r.name,
        subject: null,
        body: `<p>${r.name}</p>`,
        attachments: [],
        is_available_for_all_inboxes: true,
        inbox_ids: null,
      };
    case 'signature':
      return {
        _links: { self: `${base}/signatures/${r.id}`, related: { owner } },
        id: r.id,
        name: r.name,
        body: `<p>${r.name}</p>`,
        sender_info: null,
        is_private: isPrivate,
        is_visible_for_all_teammate_channels: false,
        is_default: false,
        channel_ids: null,
      };
    case 'channel':
      return {
        _links: {
          self: `${base}/channels/${r.id}`,
          related: { inbox: r.inboxId ? `${base}/inboxes/${r.inboxId}` : null, owner },
        },
        id: r.id,
        name: r.name,
        address: r.address ?? '',
        type: 'imap',
        send_as: r.address ?? '',
        settings: isPrivate ? { undo_send_time: 0 } : { undo_send_time: 0, all_teammates_can_reply: false },
        is_private: isPrivate,
        is_valid: true,
      };
    case 'rule':
      return {
        _links: { self: `${base}/rules/${r.id}`, related: { owner } },
        id: r.id,
        name: r.name,
        actions: ['Assign to teammate'],
        is_private: isPrivate,
      };
  }
}
