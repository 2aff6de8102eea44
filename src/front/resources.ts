import { frontPaths, parseFrontId, type FrontPath } from './ids';

/**
 * The kinds of resource that can belong to one teammate (docs/front-behaviour.md §1): where Front's API reads
 * one, and what an answer calls it. Conversations stay with their own probe; the others are read here.
 */
export const PRIVATE_KINDS = {
  conversation: { prefix: 'cnv', collection: 'conversations', label: 'conversation' },
  message: { prefix: 'msg', collection: 'messages', label: 'message' },
  comment: { prefix: 'com', collection: 'comments', label: 'comment' },
  inbox: { prefix: 'inb', collection: 'inboxes', label: 'inbox' },
  tag: { prefix: 'tag', collection: 'tags', label: 'tag' },
  contact: { prefix: 'crd', collection: 'contacts', label: 'contact' },
  message_template: { prefix: 'rsp', collection: 'message_templates', label: 'message template' },
  signature: { prefix: 'sig', collection: 'signatures', label: 'signature' },
  channel: { prefix: 'cha', collection: 'channels', label: 'channel' },
  rule: { prefix: 'rul', collection: 'rules', label: 'rule' },
} as const;
export type PrivateKind = keyof typeof PRIVATE_KINDS;

/** A teammate's own listings in Front's OpenAPI document (GET /teammates/{teammate_id}/…), with what they list. */
export const TEAMMATE_LISTINGS = {
  conversations: 'assigned conversations',
  inboxes: 'inboxes',
  private_inboxes: 'private inboxes',
  tags: 'tags',
  contacts: 'contacts',
  contact_lists: 'contact lists',
  message_templates: 'message templates',
  message_template_folders: 'message template folders',
  signatures: 'signatures',
  channels: 'channels',
  rules: 'rules',
} as const;
export type TeammateListing = keyof typeof TEAMMATE_LISTINGS;

/** The private resource a diagnosis reproduces the refusal on, when it is not a conversation. */
export type ResourceRef =
  | { kind: Exclude<PrivateKind, 'conversation'>; id: string }
  | { kind: 'teammate_resources'; teammate: string; listing: TeammateListing };

/**
 * How Front may name a kind in "not allowed to read the "<kind>"": Front documents the wording for conversations
 * only, so spaces, hyphens, plurals and the older names of message templates ("response", "canned answer") are
 * read as the same kind.
 */
const KIND_WORDS: Record<string, PrivateKind> = {
  response: 'message_template',
  canned_answer: 'message_template',
  template: 'message_template',
  card: 'contact',
};

export function kindFromWord(word: string | undefined): PrivateKind | undefined {
  if (!word) return undefined;
  const key = word
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  for (const candidate of [key, key.replace(/s$/, ''), key.replace(/es$/, '')]) {
    if (Object.prototype.hasOwnProperty.call(PRIVATE_KINDS, candidate)) return candidate as PrivateKind;
    const older = KIND_WORDS[candidate];
    if (older) return older;
  }
  return undefined;
}

/** Asked for every ID a diagnosis looks at. */
const KIND_BY_PREFIX: ReadonlyMap<string, PrivateKind> = new Map(
  (Object.keys(PRIVATE_KINDS) as PrivateKind[]).map((kind) => [PRIVATE_KINDS[kind].prefix, kind]),
);

export function kindFromId(id: string | undefined): PrivateKind | undefined {
  if (!id) return undefined;
  const parsed = parseFrontId(id);
  if (!parsed.ok) return undefined;
  return KIND_BY_PREFIX.get(parsed.prefix);
}

export function isTeammateListing(name: string | undefined): name is TeammateListing {
  return name !== undefined && Object.prototype.hasOwnProperty.call(TEAMMATE_LISTINGS, name);
}

/** Where the refusal is reproduced: the OpenAPI document's GET for that resource. Throws on an invalid ID. */
export function resourcePath(ref: ResourceRef): FrontPath {
  if (ref.kind === 'teammate_resources') return frontPaths.teammateListing(ref.teammate, ref.listing);
  const { collection, prefix } = PRIVATE_KINDS[ref.kind];
  return frontPaths.resource(collection, prefix, ref.id);
}

/** "the tag tag_1", "the tags of teammate tea_1": what the answer calls the resource. */
export function describeResource(ref: ResourceRef): string {
  if (ref.kind === 'teammate_resources') return `the ${TEAMMATE_LISTINGS[ref.listing]} of teammate ${ref.teammate}`;
  return `the ${PRIVATE_KINDS[ref.kind].label} ${ref.id}`;
}

/** The ID a reply shows for it. */
export function resourceId(ref: ResourceRef): string {
  return ref.kind === 'teammate_resources' ? ref.teammate : ref.id;
}
