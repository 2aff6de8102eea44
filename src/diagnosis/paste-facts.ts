import type { FactPath } from '../facts';
import type { PrivateKind, ResourceRef } from '../front';
import { parseFrontId, parseTeammateRef } from '../front/ids';
import { PRIVATE_KINDS, describeResource, isTeammateListing, kindFromId, kindFromWord } from '../front/resources';
import type { FrontIdRef, Observation } from '../input/types';

export type PasteFacts = Partial<Record<FactPath, string | number | boolean | string[]>>;

/**
 * The facts one pasted error (or a bare ID, when `observation` is undefined) gives the rules.
 * A field the paste did not contain stays absent: paste facts are never "unknown".
 * `bare`: which of the paste's bare IDs this diagnosis is about (the first one that can be private otherwise).
 */
export function pasteFacts(
  observation: Observation | undefined,
  ids: FrontIdRef[],
  paste: { mentionsOAuth?: boolean } = {},
  bare?: string,
  /** What the error or the bare ID is about, when the caller has read it already (`targetOf`, `bareTarget`). */
  target: Target = observation ? targetOf(observation, ids) : bareTarget(bare ?? bareIds(ids)[0]),
): PasteFacts {
  const facts: PasteFacts = {
    'input.ids': ids.map((ref) => ref.id),
    'input.has_error': observation !== undefined,
    'input.mentions_oauth': paste.mentionsOAuth === true,
  };
  if (target.conversation) facts['input.conversation_id'] = target.conversation;
  if (target.kind) facts['input.resource_kind'] = target.kind;
  if (target.resource) facts['input.resource'] = describeResource(target.resource);
  else if (target.conversation) facts['input.resource'] = target.conversation;
  else if (target.label) facts['input.resource'] = target.label;
  else if (target.kind === 'teammate_resources') facts['input.resource'] = "a teammate's own resources";
  else if (target.kind) facts['input.resource'] = `the ${PRIVATE_KINDS[target.kind].label}`;
  if (!observation) return facts;

  facts['error.format'] = observation.format;
  setIfDefined(facts, 'error.status', observation.status);
  setIfDefined(facts, 'error.title', observation.title);
  setIfDefined(facts, 'error.message', observation.message);
  if (observation.details && observation.details.length > 0) facts['error.details'] = observation.details;
  setIfDefined(facts, 'error.resource_kind', observation.resource?.kind);
  setIfDefined(facts, 'error.resource_verb', observation.resource?.verb);
  setIfDefined(facts, 'error.resource_id', observation.resource?.id);
  setIfDefined(facts, 'error.method', observation.request?.method);
  setIfDefined(facts, 'error.path', observation.request?.path);
  setIfDefined(facts, 'error.location', observation.location);
  const rate = observation.rateLimit;
  setIfDefined(facts, 'error.rate_limit.limit', rate?.limit);
  setIfDefined(facts, 'error.rate_limit.remaining', rate?.remaining);
  setIfDefined(facts, 'error.rate_limit.reset', rate?.reset);
  setIfDefined(facts, 'error.rate_limit.retry_after', rate?.retryAfter);
  setIfDefined(facts, 'error.rate_limit.tier', rate?.tier);
  return facts;
}

export interface Target {
  /** The conversation to read, when the error is about one (or names none of another kind). */
  conversation?: string;
  /** Another private resource to read instead, with a valid ID. */
  resource?: ResourceRef;
  /** What kind of resource the error is about, when the paste tells (also without a usable ID). */
  kind?: PrivateKind | 'teammate_resources';
  /** What to call it when there is no resource to read (a teammate named without the listing). */
  label?: string;
}

const TEAMMATE_LISTING_PATH = /^\/teammates\/([^/?#\s]+)\/([a-z_]+)\/?(?:[?#]|$)/;
const RESOURCE_PATH = /^\/([a-z_]+)\/([a-z]{2,4}_[0-9a-z]+)\/?(?:[?#]|$)/;

/**
 * What a pasted error is about: a teammate's own listing (/teammates/{id}/tags), the resource its wording names
 * (by ID prefix first, then by the kind word), the resource in its request path, or else a conversation.
 */
export function targetOf(observation: Observation | undefined, ids: FrontIdRef[]): Target {
  const path = observation?.request?.path?.replace(/^https?:\/\/[^/]+/i, '');
  const listing = path ? TEAMMATE_LISTING_PATH.exec(path) : null;
  if (listing?.[1] && isTeammateListing(listing[2])) {
    const teammate = parseTeammateRef(decodeURIComponent(listing[1]));
    return teammate.ok
      ? {
          kind: 'teammate_resources',
          resource: { kind: 'teammate_resources', teammate: teammate.ref, listing: listing[2] },
        }
      : { kind: 'teammate_resources' };
  }
  const named = observation?.resource;
  // "not allowed to read the "teammate"" is a refusal of that teammate's own resources, whichever listing it was.
  if (named?.kind === 'teammate') {
    const teammate = parseTeammateRef(named.id ?? '');
    return { kind: 'teammate_resources', label: teammate.ok ? `the resources of teammate ${teammate.ref}` : undefined };
  }
  const byId = kindFromId(named?.id);
  const byWord = kindFromWord(named?.kind);
  const fromPath = path ? RESOURCE_PATH.exec(path) : null;
  const pathKind = fromPath ? kindOfCollection(fromPath[1]) : undefined;
  const kind = byId ?? byWord ?? pathKind;
  if (kind && kind !== 'conversation') {
    const { prefix } = PRIVATE_KINDS[kind];
    const id = [named?.id, fromPath?.[2], ...(observation?.ids ?? [])].find(
      (candidate) => candidate !== undefined && parseFrontId(candidate, prefix).ok,
    );
    return id ? { kind, resource: { kind, id } } : { kind };
  }
  const conversation = targetConversation(observation, ids);
  const target: Target = {};
  if (conversation) target.conversation = conversation;
  if (kind || conversation) target.kind = kind ?? 'conversation';
  return target;
}

/**
 * The IDs an agent may type on their own to have them checked (`/front-why tag_3b0c1`): a conversation or any
 * other resource that can be private, in order of first appearance.
 */
export function bareIds(ids: FrontIdRef[]): string[] {
  return ids.map((ref) => ref.id).filter((id) => kindFromId(id) !== undefined);
}

/** What a bare ID is about: a conversation to read, or another private resource to read. */
export function bareTarget(id: string | undefined): Target {
  const kind = kindFromId(id);
  if (!id || !kind) return {};
  return kind === 'conversation' ? { conversation: id, kind } : { kind, resource: { kind, id } };
}

function kindOfCollection(collection: string | undefined): PrivateKind | undefined {
  return (Object.keys(PRIVATE_KINDS) as PrivateKind[]).find((kind) => PRIVATE_KINDS[kind].collection === collection);
}

/** The conversation a diagnosis is about: the one the error names, else the first one found near it or in the paste. */
export function targetConversation(observation: Observation | undefined, ids: FrontIdRef[]): string | undefined {
  const named = observation?.resource?.id;
  if (named?.startsWith('cnv_')) return named;
  const near = observation?.ids.find((id) => id.startsWith('cnv_'));
  if (near) return near;
  return ids.find((ref) => ref.prefix === 'cnv')?.id;
}

function setIfDefined(facts: PasteFacts, path: FactPath, value: string | number | undefined): void {
  if (value !== undefined && value !== '') facts[path] = value;
}
