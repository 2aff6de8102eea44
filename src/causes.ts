/**
 * The stable vocabulary of causes. Users filter and count diagnoses by these names, so a new cause
 * is added only with a note on why none of the existing ones fits.
 */
export const CAUSES = [
  'teammate_api_access_disabled',
  'token_missing_private_scope',
  'token_missing_shared_scope',
  'token_missing_permission',
  'token_workspace_restricted',
  'oauth_token_private_resources',
  'token_invalid',
  'oauth_token_expired',
  'oauth_admin_required',
  'resource_not_found',
  'conversation_merged',
  'rate_limited',
  'rate_limited_burst',
  'invalid_request_body',
  'malformed_json',
  'feature_not_enabled',
  'front_unavailable',
  // Not front_unavailable: this host could not open a connection to Front at all (DNS, refused, TLS). That is
  // the bot's own network; blaming Front for it would send the agent and the customer the wrong way.
  'bot_cannot_reach_front',
  // Not resource_not_found: the paste shows Front refusing (403) an ID that the stored token reads as unknown
  // (404), so the ID exists, for another company's token than the one connected here.
  'company_mismatch',
  'not_reproducible',
  'unknown',
] as const;

export type Cause = (typeof CAUSES)[number];

export function isCause(value: string): value is Cause {
  return (CAUSES as readonly string[]).includes(value);
}

/**
 * Causes the customer can fix on their side (a teammate's preference, the token's scopes or permissions, a new
 * token, an admin's approval, the token's workspace restriction): an answer naming one offers "Watch until fixed".
 * Not the others: a missing or merged conversation, a rate limit, a bad request or Front being down is not waiting
 * on a setting, and a feature missing from the plan waits on a purchase rather than a click.
 */
export const CUSTOMER_FIXABLE_CAUSES: readonly Cause[] = [
  'teammate_api_access_disabled',
  'token_missing_private_scope',
  'token_missing_shared_scope',
  'token_missing_permission',
  'token_workspace_restricted',
  'oauth_token_private_resources',
  'token_invalid',
  'oauth_token_expired',
  'oauth_admin_required',
];

export function isCustomerFixable(cause: string): boolean {
  return (CUSTOMER_FIXABLE_CAUSES as readonly string[]).includes(cause);
}
