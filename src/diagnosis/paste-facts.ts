import type { FactPath } from '../facts';
import type { FrontIdRef, Observation } from '../input/types';

export type PasteFacts = Partial<Record<FactPath, string | number | boolean | string[]>>;

/**
 * The facts one pasted error (or a bare ID, when `observation` is undefined) gives the rules.
 * A field the paste did not contain stays absent: paste facts are never "unknown".
 */
export function pasteFacts(
  observation: Observation | undefined,
  ids: FrontIdRef[],
  paste: { mentionsOAuth?: boolean } = {},
): PasteFacts {
  const facts: PasteFacts = {
    'input.ids': ids.map((ref) => ref.id),
    'input.has_error': observation !== undefined,
    'input.mentions_oauth': paste.mentionsOAuth === true,
  };
  const conversationId = targetConversation(observation, ids);
  if (conversationId) facts['input.conversation_id'] = conversationId;
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
