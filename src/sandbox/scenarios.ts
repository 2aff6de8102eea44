import type { FaultSettings } from './faults';
import type { TokenName } from './tokens';

/**
 * Demo scenarios: what an agent would type or paste, with the sandbox token of the customer it
 * concerns and the cause front-why should find. The demo and the benchmark replay these; a test
 * checks each one still reproduces live against the sandbox.
 */
export interface SandboxScenario {
  name: string;
  description: string;
  tokenName: TokenName;
  /** A cnv_ ID, an app link or an error paste, as an agent would give it. */
  input: string;
  /** The cause a diagnosis of it names: a rule file of the built-in rules declares it. */
  expectedCause: string;
  /** Conditions to set on the sandbox (setFaults) before running the scenario. */
  faults?: Partial<FaultSettings>;
}

const forbiddenConversation = (id: string): string =>
  `{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"${id}\\""}}`;

/** Front's conversation wording, assumed for the other kinds that can be private (docs/front-behaviour.md §1). */
const forbidden = (kind: string, id: string): string =>
  `{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"${kind}\\" with ID: \\"${id}\\""}}`;

export const SANDBOX_SCENARIOS: readonly SandboxScenario[] = [
  {
    name: 'original_report',
    description:
      'The community report: a token with shared + private + provisioning scopes gets 403 on a conversation in Bruno Keller\'s private inbox, because Bruno has "Allow access to my individual resources via the API" off.',
    tokenName: 'acme_private',
    input: `GET https://api2.frontapp.com/conversations/cnv_yo1kg5q\n403 ${forbiddenConversation('cnv_yo1kg5q')}`,
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'new_style_token_preference_off',
    description:
      "A new-style token (no scopes claim, so the claims cannot tell) reads a conversation in Dmitri Ivanov's private inbox; his preference is off.",
    tokenName: 'acme_new_style',
    input: 'https://app.frontapp.com/open/cnv_yo1kg5v',
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'big_company_owner',
    description:
      "Initech (200 teammates, Starter) reads a conversation in Peter Gibbons's private inbox; his preference is off. One diagnosis may send 5 requests (10% of 50 a minute), 3 of them before any teammate is checked, so it checks 2: the owner is named later, by a sweep in the background (Slack) or an audit.",
    tokenName: 'initech_private',
    input: 'https://app.frontapp.com/open/cnv_9b0c001',
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'globex_teammate_resources_denied',
    description: "Globex's integration lists Marco Rossi's private inboxes; Marco's preference is off.",
    tokenName: 'globex_private',
    input:
      'GET /teammates/tea_7k20b/private_inboxes -> 403 {"_error":{"status":403,"title":"Forbidden","message":"You do not have access to the resources of this teammate"}}',
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'missing_private_scope',
    description:
      "A token with only the shared scope opens a conversation in Ada Moreno's private inbox (her preference is on).",
    tokenName: 'acme_shared_only',
    input: 'https://app.frontapp.com/open/cnv_yo1kg5r',
    expectedCause: 'token_missing_private_scope',
  },
  {
    name: 'workspace_restricted',
    description:
      'A token restricted to the Support workspace (tim:26028 = tim_k30) reads a conversation in the Billing inbox (tim_k31).',
    tokenName: 'acme_workspace',
    input: `Front API error on cnv_yo1kg5t: ${forbiddenConversation('cnv_yo1kg5t')}`,
    expectedCause: 'token_workspace_restricted',
  },
  {
    name: 'missing_inboxes_read',
    description:
      'A new-style token without the inboxes:read permission lists the inboxes of a conversation it can read.',
    tokenName: 'acme_no_inboxes_read',
    input: [
      '$ curl -i https://api2.frontapp.com/conversations/cnv_yo1kg5s/inboxes -H "Authorization: Bearer $FRONT_TOKEN"',
      'HTTP/2 403',
      'content-type: application/json; charset=utf-8',
      '',
      '{"_error":{"status":403,"title":"Forbidden","message":"Token lacks the required `inboxes:read` scope"}}',
    ].join('\n'),
    expectedCause: 'token_missing_permission',
  },
  {
    name: 'oauth_private_resources',
    description:
      "An OAuth app token (old model: shared resources only) opens a conversation in Ada Moreno's private inbox.",
    tokenName: 'acme_oauth',
    input: `GET /conversations/cnv_yo1kg5r 403 ${forbiddenConversation('cnv_yo1kg5r')}`,
    expectedCause: 'oauth_token_private_resources',
  },
  {
    name: 'revoked_token',
    description: 'An admin revoked the API token the integration still uses.',
    tokenName: 'acme_revoked',
    input:
      '[sync-worker] GET /conversations/cnv_yo1kg5s failed: 401 {"_error":{"status":401,"title":"Unauthenticated","message":"JSON Web Token error"}}',
    expectedCause: 'token_invalid',
  },
  {
    name: 'oauth_token_expired',
    description: 'The OAuth access token expired (they live about an hour) and the app did not refresh it.',
    tokenName: 'acme_oauth_expired',
    input:
      'Our Front app stopped working an hour after install:\nGET /me → 401 {"_error":{"status":401,"title":"Unauthenticated","message":"JSON Web Token error"}}',
    expectedCause: 'oauth_token_expired',
  },
  {
    name: 'integration_other_token',
    description:
      "The customer's integration still sends an old token (401) while the token connected here works: GET /me overrules the paste.",
    tokenName: 'acme_private',
    input:
      '[sync-worker] GET /conversations/cnv_yo1kg5s failed: 401 {"_error":{"status":401,"title":"Unauthenticated","message":"JSON Web Token error"}}',
    expectedCause: 'token_invalid',
  },
  {
    name: 'another_company_id',
    description:
      "Front refused the integration a conversation (403) that the token connected here does not know (404): cnv_zq3ab10 is Globex's, the tenant is Acme's.",
    tokenName: 'acme_private',
    input: `GET /conversations/cnv_zq3ab10 403 ${forbiddenConversation('cnv_zq3ab10')}`,
    expectedCause: 'company_mismatch',
  },
  {
    name: 'unknown_conversation',
    description: 'The conversation ID does not exist in this company (a typo, or an ID from another company).',
    tokenName: 'acme_private',
    input: '{"_error":{"status":404,"title":"Not found","message":"Unknown conversation ID cnv_zz9k2x1"}}',
    expectedCause: 'resource_not_found',
  },
  {
    name: 'merged_conversation',
    description: 'cnv_yo1kg5u was merged into cnv_yo1kg5s; reading the old ID answers 301.',
    tokenName: 'acme_private',
    input: 'cnv_yo1kg5u',
    expectedCause: 'conversation_merged',
  },
  {
    name: 'rate_limited',
    description:
      "The company's per-minute budget (Starter: 50) is spent; every call answers 429 until the window resets.",
    tokenName: 'acme_private',
    input: [
      'HTTP/1.1 429 Too Many Requests',
      'x-ratelimit-limit: 50',
      'x-ratelimit-remaining: 0',
      'x-ratelimit-reset: 1718200160',
      'retry-after: 21',
      '',
      '{"_error":{"status":429,"title":"Too many requests","message":"Rate limit exceeded. Please retry in 20480 milliseconds."}}',
    ].join('\n'),
    expectedCause: 'rate_limited',
    faults: { rateLimitPerMinute: 0 },
  },
  {
    name: 'rate_limited_burst',
    description: 'A loop hit the burst limit of a tier-2 route: 429 while the minute budget still has room.',
    tokenName: 'acme_private',
    input: [
      'HTTP/1.1 429 Too Many Requests',
      'x-front-tier: tier-2',
      'x-ratelimit-limit: 50',
      'x-ratelimit-remaining: 37',
      'retry-after: 1',
      '',
      '{"_error":{"status":429,"title":"Too many requests","message":"Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds."}}',
    ].join('\n'),
    expectedCause: 'rate_limited_burst',
    faults: { burstPerSecond: 5 },
  },
  {
    name: 'front_outage',
    description: "Front's edge answers 503 pages to everything: the problem is on Front's side, not the token.",
    tokenName: 'acme_private',
    input: [
      'GET /conversations/cnv_yo1kg5s -> 503',
      '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>',
    ].join('\n'),
    expectedCause: 'front_unavailable',
    faults: { outage: true },
  },
  {
    name: 'now_works',
    description:
      "Yesterday's 403 on a conversation in Chloé Martin's private inbox: she has since turned the preference on, and the call now succeeds.",
    tokenName: 'acme_private',
    input: `Yesterday: ${forbiddenConversation('cnv_yo1kg5w')}`,
    expectedCause: 'not_reproducible',
  },
  {
    name: 'message_preference_off',
    description:
      "A message in Bruno Keller's private inbox, read with the original report's token (private scope): Bruno's preference is off.",
    tokenName: 'acme_private',
    input: `GET https://api2.frontapp.com/messages/msg_1q15qmtq\n403 ${forbidden('message', 'msg_1q15qmtq')}`,
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'comment_missing_private_scope',
    description:
      "A comment on a conversation in Ada Moreno's private inbox (her preference is on), read with a token that has only the shared scope.",
    tokenName: 'acme_shared_only',
    input: `[sync-worker] GET /comments/com_1a2b3c failed: 403 ${forbidden('comment', 'com_1a2b3c')}`,
    expectedCause: 'token_missing_private_scope',
  },
  {
    name: 'inbox_preference_off',
    description:
      "A new-style token (no scopes claim) reads Dmitri Ivanov's private inbox itself; his preference is off.",
    tokenName: 'acme_new_style',
    input: `GET /inboxes/inb_1ixb -> 403 ${forbidden('inbox', 'inb_1ixb')}`,
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'tag_preference_off',
    description: "Globex's integration reads Marco Rossi's private tag; Marco's preference is off.",
    tokenName: 'globex_private',
    input: forbidden('tag', 'tag_3b0c1'),
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'contact_missing_private_scope',
    description: "Chloé Martin's own contact (her preference is on), read with a token that has only the shared scope.",
    tokenName: 'acme_shared_only',
    input: `GET /contacts/crd_2njtoez 403 ${forbidden('contact', 'crd_2njtoez')}`,
    expectedCause: 'token_missing_private_scope',
  },
  {
    name: 'message_template_preference_off',
    description:
      'Bruno Keller\'s own message template, with the kind spelt "message template" in the paste; Bruno\'s preference is off.',
    tokenName: 'acme_private',
    input: 'Template sync failed: This agent is not allowed to read the "message template" with ID: "rsp_16yc"',
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'signature_preference_off',
    description: "Globex's integration reads Marco Rossi's signature; Marco's preference is off.",
    tokenName: 'globex_private',
    input: `GET https://api2.frontapp.com/signatures/sig_7a1b\n403 ${forbidden('signature', 'sig_7a1b')}`,
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'channel_oauth',
    description:
      "An OAuth app token (old model: shared resources only) reads the channel of Ada Moreno's private inbox (her preference is on).",
    tokenName: 'acme_oauth',
    input: `GET /channels/cha_1ab3 -> 403 ${forbidden('channel', 'cha_1ab3')}`,
    expectedCause: 'oauth_token_private_resources',
  },
  {
    name: 'rule_preference_off',
    description: "Dmitri Ivanov's own rule, read with the original report's token; Dmitri's preference is off.",
    tokenName: 'acme_private',
    input: `GET /rules/rul_58xhq -> 403 ${forbidden('rule', 'rul_58xhq')}`,
    expectedCause: 'teammate_api_access_disabled',
  },
  {
    name: 'teammate_tags_preference_off',
    description: "Acme's integration lists Bruno Keller's own tags; Bruno's preference is off.",
    tokenName: 'acme_private',
    input:
      'GET /teammates/tea_6r55b/tags -> 403 {"_error":{"status":403,"title":"Forbidden","message":"You do not have access to the resources of this teammate"}}',
    expectedCause: 'teammate_api_access_disabled',
  },
];
