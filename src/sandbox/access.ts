import type { Grants } from './tokens';
import type { InboxOwner, SeedCompany, SeedConversation, SeedInbox, SeedTeammate } from './seed';

/**
 * Who may read what (docs/front-behaviour.md §1, §2, §6). Kept apart from the handlers so each rule reads as one
 * small function and the handlers only choose the wording.
 */

export function canReadInbox(grants: Grants, inbox: SeedInbox, company: SeedCompany): boolean {
  return canReadOwned(grants, inbox.owner, company);
}

/**
 * Anything owned by a workspace (shared) or a teammate (private): an inbox, a tag, a contact, a message template,
 * a signature, a channel, a rule. A company-wide resource (no owner) needs the shared namespace only.
 */
export function canReadOwned(grants: Grants, owner: InboxOwner | undefined, company: SeedCompany): boolean {
  if (owner === undefined) return grants.shared;
  if (owner.kind === 'team') {
    return grants.shared && (grants.teams === null || grants.teams.includes(owner.id));
  }
  const ownerId = owner.id;
  const teammate = company.teammates.find((t) => t.id === ownerId);
  // Private resources need the private namespace AND the owner's preference: either one missing hides them.
  return grants.private && grants.teams === null && teammate !== undefined && teammate.apiAccessToIndividualResources;
}

export function inboxesOf(conversation: SeedConversation, company: SeedCompany): SeedInbox[] {
  return conversation.inboxIds
    .map((id) => company.inboxes.find((i) => i.id === id))
    .filter((i): i is SeedInbox => i !== undefined);
}

/** A conversation is readable through any inbox the token can read. */
export function canReadConversation(grants: Grants, conversation: SeedConversation, company: SeedCompany): boolean {
  return inboxesOf(conversation, company).some((inbox) => canReadInbox(grants, inbox, company));
}

export function isPrivateConversation(conversation: SeedConversation, company: SeedCompany): boolean {
  const inboxes = inboxesOf(conversation, company);
  return inboxes.length > 0 && inboxes.every((i) => i.owner.kind === 'teammate');
}

export type TeammateResourcesAccess = 'allowed' | 'no_private_scope' | 'preference_off';

/** Reaching a teammate's individual resources: the token's namespace is checked before the preference. */
export function teammateResourcesAccess(grants: Grants, teammate: SeedTeammate): TeammateResourcesAccess {
  if (!grants.private || grants.teams !== null) return 'no_private_scope';
  if (!teammate.apiAccessToIndividualResources) return 'preference_off';
  return 'allowed';
}

export function visibleTeams(grants: Grants, company: SeedCompany): SeedCompany['teams'] {
  return grants.teams === null ? company.teams : company.teams.filter((t) => grants.teams?.includes(t.id));
}
