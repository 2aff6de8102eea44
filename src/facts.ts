/**
 * The catalogue of fact paths that rule conditions may use. It is the contract between the paste parser
 * (source 'paste'), the live probes (source = the probe's id) and the rule files: `rules lint` rejects a
 * path that is not listed here, and docs/writing-rules.md explains each one.
 *
 * Paste facts are always known: a field the paste did not contain is simply absent. Probe facts are
 * *unknown* until their probe has run (offline they stay unknown), and a rule whose outcome depends on an
 * unknown fact is reported as "possible", naming the check that would decide it.
 */

export type FactType = 'number' | 'string' | 'boolean' | 'string[]';

export interface FactSpec {
  type: FactType;
  /** 'paste', or the id of the probe that supplies it. */
  source: 'paste' | ProbeId;
  description: string;
}

export const PROBE_IDS = [
  'token',
  'me',
  'conversation',
  'resource',
  'inboxes',
  'owner',
  'owner_access',
  'teammates_access',
  'teams',
] as const;
export type ProbeId = (typeof PROBE_IDS)[number];

/** What each probe checks, in words an agent reads under "what would decide this" and "what was checked". */
export const PROBE_DESCRIPTIONS: Record<ProbeId, string> = {
  token: "decode the token's claims (scopes, kind, workspaces); no request",
  me: 'GET /me: is the token valid, and for which company',
  conversation: 'GET /conversations/{id}: reproduce the error with the stored token',
  resource:
    'GET the refused resource itself (/messages/{id}, /tags/{id}, /teammates/{id}/tags, …): reproduce the error with the stored token',
  inboxes: 'GET /conversations/{id}/inboxes: is the conversation in a private inbox, and whose',
  owner: 'GET /teammates/{id}: who owns the private inbox',
  owner_access: "GET /teammates/{id}/private_inboxes: can the token reach the owner's private resources",
  teammates_access: "GET /teammates, then each teammate's private inboxes: whose API preference is off",
  teams: 'GET /teams: which workspaces the token can see',
};

export const FACTS = {
  // ---- from the paste (one Front error at a time) ----
  'error.status': {
    type: 'number',
    source: 'paste',
    description: 'HTTP status of the pasted error (403, 404, 429, …).',
  },
  'error.title': {
    type: 'string',
    source: 'paste',
    description:
      'The `_error.title` text. Casing varies ("Not found", "Not Found"): match with an (?i) regex, not equals.',
  },
  'error.message': {
    type: 'string',
    source: 'paste',
    description: 'The `_error.message` text (or the body text of a non-JSON error).',
  },
  'error.details': { type: 'string[]', source: 'paste', description: 'The `_error.details` entries, if any.' },
  'error.resource_kind': {
    type: 'string',
    source: 'paste',
    description: 'From "not allowed to <verb> the \\"<kind>\\"": conversation, inbox, teammate, …',
  },
  'error.resource_verb': {
    type: 'string',
    source: 'paste',
    description: 'From "not allowed to <verb> the …": read, write, …',
  },
  'error.resource_id': { type: 'string', source: 'paste', description: 'The ID named in the error message.' },
  'error.method': {
    type: 'string',
    source: 'paste',
    description: 'Request method, when the paste shows the request (curl -v, a log line).',
  },
  'error.path': { type: 'string', source: 'paste', description: 'Request path, e.g. /conversations/cnv_123.' },
  'error.location': {
    type: 'string',
    source: 'paste',
    description: 'The Location header of a 301 (a merged conversation).',
  },
  'error.format': {
    type: 'string',
    source: 'paste',
    description: 'How the error was recognised: json, http (status line/headers), html (an edge error page), text.',
  },
  'error.rate_limit.limit': { type: 'number', source: 'paste', description: 'x-ratelimit-limit header.' },
  'error.rate_limit.remaining': { type: 'number', source: 'paste', description: 'x-ratelimit-remaining header.' },
  'error.rate_limit.reset': {
    type: 'number',
    source: 'paste',
    description: 'x-ratelimit-reset header (unix seconds).',
  },
  'error.rate_limit.retry_after': { type: 'number', source: 'paste', description: 'retry-after header (seconds).' },
  'error.rate_limit.tier': {
    type: 'string',
    source: 'paste',
    description: 'x-front-tier header (burst-limited routes).',
  },
  'input.ids': {
    type: 'string[]',
    source: 'paste',
    description: 'Every Front ID found in the whole paste (or typed after the command).',
  },
  'input.conversation_id': {
    type: 'string',
    source: 'paste',
    description: 'The conversation the diagnosis is about: the one in the error, else the first cnv_ ID or app link.',
  },
  'input.resource_kind': {
    type: 'string',
    source: 'paste',
    description:
      "What kind of private resource the error is about: conversation, message, comment, inbox, tag, contact, message_template, signature, channel, rule, or teammate_resources (a teammate's own listing, /teammates/{id}/…). From the ID prefix, the kind Front names, or the request path; absent when the paste does not tell.",
  },
  'input.resource': {
    type: 'string',
    source: 'paste',
    description:
      'What the answer calls that resource: a conversation\'s ID (cnv_…), or "the tag tag_…", "the message template rsp_…", "the tags of teammate tea_…". Use it with a fallback: {{input.resource|the conversation}}.',
  },
  'input.mentions_oauth': {
    type: 'boolean',
    source: 'paste',
    description:
      'The paste says the request came from an OAuth connection ("OAuth", an /oauth/ URL, a refresh_token). Only ranks the OAuth causes first: the stored token\'s claims decide.',
  },
  'input.has_error': {
    type: 'boolean',
    source: 'paste',
    description: 'True when the paste contained a Front error (false for a bare ID or link).',
  },

  // ---- token claims (no network) ----
  'token.kind': {
    type: 'string',
    source: 'token',
    description: 'api (a company API token), oauth (an OAuth access token), or unknown (not a decodable JWT).',
  },
  'token.scopes': {
    type: 'string[]',
    source: 'token',
    description:
      'The `scopes` claim. Unknown (not empty) when the token has no such claim: new tokens keep permissions server-side.',
  },
  'token.private_scope': {
    type: 'boolean',
    source: 'token',
    description: 'The claim grants private resources (`*` or `private:*`). Unknown when the token has no scopes claim.',
  },
  'token.shared_scope': {
    type: 'boolean',
    source: 'token',
    description: 'The claim grants shared resources (`*` or `shared:*`). Unknown when the token has no scopes claim.',
  },
  'token.workspace_restricted': {
    type: 'boolean',
    source: 'token',
    description: 'The claim restricts the token to workspaces (`tim:<n>` scopes).',
  },
  'token.expired': {
    type: 'boolean',
    source: 'token',
    description: 'The token has an `exp` claim in the past (OAuth access tokens live about an hour).',
  },

  // ---- GET /me ----
  'me.status': {
    type: 'number',
    source: 'me',
    description: 'HTTP status of GET /me (200 proves the token valid). Unknown when Front could not be reached.',
  },
  'me.error_message': { type: 'string', source: 'me', description: "Front's error message for GET /me, if it failed." },
  'me.company_name': { type: 'string', source: 'me', description: 'The company the token belongs to.' },
  'me.reachable': {
    type: 'boolean',
    source: 'me',
    description:
      'False when no answer came from Front, after retries: it answered 5xx, timed out, the connection broke, or this host could not connect at all (see me.connect_failed).',
  },
  'me.connect_failed': {
    type: 'boolean',
    source: 'me',
    description:
      'When no answer came: true when this host could not open a connection to Front at all (DNS failure, connection refused, TLS failure: our network, not Front being down); false when Front was reached and answered 5xx, timed out or broke the connection.',
  },

  // ---- GET /conversations/{id} ----
  'conversation.status': {
    type: 'number',
    source: 'conversation',
    description: 'HTTP status when reading the conversation with the stored token now (301 when merged).',
  },
  'conversation.error_message': {
    type: 'string',
    source: 'conversation',
    description: "Front's error message for that read, if it failed.",
  },
  'conversation.is_private': {
    type: 'boolean',
    source: 'conversation',
    description: "The conversation's is_private (only when it could be read).",
  },
  'conversation.merged_into': {
    type: 'string',
    source: 'conversation',
    description: 'The conversation ID a 301 points to.',
  },
  'conversation.reachable': {
    type: 'boolean',
    source: 'conversation',
    description:
      'False when no answer came from Front, after retries: it answered 5xx, timed out, the connection broke, or this host could not connect at all (see conversation.connect_failed).',
  },
  'conversation.connect_failed': {
    type: 'boolean',
    source: 'conversation',
    description:
      'When no answer came: true when this host could not open a connection to Front at all (DNS failure, connection refused, TLS failure: our network, not Front being down); false when Front was reached and answered 5xx, timed out or broke the connection.',
  },

  // ---- GET of another private resource (a message, tag, contact, … or a teammate's own listing) ----
  'resource.status': {
    type: 'number',
    source: 'resource',
    description:
      'HTTP status when reading the resource the error or bare ID is about (not a conversation) with the stored token now. Absent when it is a conversation.',
  },
  'resource.error_message': {
    type: 'string',
    source: 'resource',
    description: "Front's error message for that read, if it failed.",
  },
  'resource.is_private': {
    type: 'boolean',
    source: 'resource',
    description: "The resource's is_private (only when it could be read and Front's answer has the field).",
  },
  'resource.reachable': {
    type: 'boolean',
    source: 'resource',
    description:
      'False when no answer came from Front, after retries: it answered 5xx, timed out, the connection broke, or this host could not connect at all (see resource.connect_failed).',
  },
  'resource.connect_failed': {
    type: 'boolean',
    source: 'resource',
    description:
      'When no answer came: true when this host could not open a connection to Front at all (DNS failure, connection refused, TLS failure: our network, not Front being down); false when Front was reached and answered 5xx, timed out or broke the connection.',
  },

  // ---- GET /conversations/{id}/inboxes ----
  'inboxes.status': {
    type: 'number',
    source: 'inboxes',
    description:
      'HTTP status of GET /conversations/{id}/inboxes (403 without inboxes:read, or when the conversation is hidden).',
  },
  'inboxes.error_message': {
    type: 'string',
    source: 'inboxes',
    description: "Front's error message for that call, if it failed.",
  },
  'inboxes.private': {
    type: 'boolean',
    source: 'inboxes',
    description: 'At least one inbox holding the conversation is private (individual).',
  },
  'inboxes.owner_teammate_id': {
    type: 'string',
    source: 'inboxes',
    description: 'The teammate (tea_…) who owns the private inbox, from its owner link.',
  },
  'inboxes.team_ids': {
    type: 'string[]',
    source: 'inboxes',
    description: 'The workspaces (tim_…) owning the shared inboxes that hold the conversation.',
  },

  // ---- the owning teammate ----
  'owner.name': {
    type: 'string',
    source: 'owner',
    description:
      'Display name of the teammate who owns the private inbox, or whose own listing (/teammates/{id}/…) was refused ("First Last <email>").',
  },
  'owner.private_access': {
    type: 'string',
    source: 'owner_access',
    description:
      'allowed (their private inboxes answer 200), denied (403 "You do not have access to the resources of this teammate": their preference is off), or forbidden (another 403).',
  },

  // ---- the teammate sweep ----
  'teammates.access_denied': {
    type: 'string[]',
    source: 'teammates_access',
    description:
      'Teammates whose private listing answers "You do not have access to the resources of this teammate" (preference off), as "Name <email>".',
  },
  'teammates.access_denied_count': {
    type: 'number',
    source: 'teammates_access',
    description: 'How many teammates were found with the preference off (for text that names one teammate or several).',
  },
  'teammates.access_allowed_count': {
    type: 'number',
    source: 'teammates_access',
    description:
      "How many teammates' private resources the token could read (≥1 proves the token has the private namespace).",
  },
  'teammates.access_forbidden_count': {
    type: 'number',
    source: 'teammates_access',
    description:
      'How many teammates\' private listings were refused with another wording (e.g. "not allowed to read the teammate"), not the preference-off one.',
  },
  'teammates.checked_count': {
    type: 'number',
    source: 'teammates_access',
    description: 'How many teammates were checked (bounded per diagnosis; `audit` checks everyone).',
  },
  'teammates.total_count': {
    type: 'number',
    source: 'teammates_access',
    description:
      'How many teammates the company has. Absent when Front listed more than one page (the sweep reads one).',
  },
  'teammates.complete': {
    type: 'boolean',
    source: 'teammates_access',
    description: 'Every teammate was checked within the budget.',
  },
  'teammates.sole_denied': {
    type: 'string',
    source: 'teammates_access',
    description:
      'In a complete sweep, the one teammate whose private listing was refused ("Name <email>") when every other teammate\'s read fine. Once the token is known to have the private namespace and a conversation in a private inbox is refused, its owner can only be this teammate. Absent otherwise.',
  },
  'teammates.known_as_of': {
    type: 'string',
    source: 'teammates_access',
    description:
      'Set when the teammates were not swept now but read from the tenant\'s teammate map (the last complete check, an audit or a sweep, within FRONT_WHY_TEAMMATES_TTL): how old it is, e.g. "the audit 3 h ago". Only the teammates the map had with the preference off were checked live; those in teammates.access_denied still have it off now, every other teammate is as of then. Absent when the teammates were swept now.',
  },

  'teammates.confirmed_by': {
    type: 'string[]',
    source: 'teammates_access',
    description:
      'Set with teammates.known_as_of: the live checks that found the map\'s candidates still with the preference off just now, each as Front answered it ("GET /teammates/tea_…/private_inboxes: 403").',
  },

  // ---- GET /teams ----
  'teams.visible_ids': { type: 'string[]', source: 'teams', description: 'The workspaces (tim_…) the token can see.' },
} as const satisfies Record<string, FactSpec>;

export type FactPath = keyof typeof FACTS;

export function isFactPath(path: string): path is FactPath {
  return Object.prototype.hasOwnProperty.call(FACTS, path);
}

export function factSource(path: FactPath): FactSpec['source'] {
  return (FACTS[path] as FactSpec).source;
}
