import type { FrontPath, FrontResult } from '../front';
import { frontPaths } from '../front/ids';
import { isRecord } from '../is-record';
import type { TeammateFinding } from './types';

/** A GET that is recorded as evidence; probes and the audit sweep both read Front through it. */
export type RecordedGet = (path: FrontPath, label: string, opts?: { fresh?: boolean }) => Promise<FrontResult>;

export type PrivateAccess = 'allowed' | 'denied' | 'forbidden' | 'unknown';

/** Front's wording when a teammate has "Allow access to my individual resources via the API" off. */
export const PREFERENCE_OFF_MESSAGE = /do not have access to the resources of this teammate/i;

export interface TeammateSummary {
  id: string;
  /** "First Last <email>", for people to read. */
  label: string;
}

export function frontErrorMessage(result: FrontResult): string | undefined {
  return result.kind === 'response' ? result.error?.message : undefined;
}

/**
 * Whether Front itself failed or was too slow (so nothing can be concluded), as opposed to answering,
 * refusing, or us holding back to spare the tenant's rate limit.
 */
export function frontWasUnreachable(result: FrontResult): boolean {
  return result.kind === 'unreachable' && result.reason !== 'budget' && result.reason !== 'rate_limited';
}

/**
 * Status Front answered with, counting as a 429 both a 429 we gave up waiting on and a request held back
 * because Front's last answers said the company had no requests left this minute.
 */
export function answeredStatus(result: FrontResult): number | undefined {
  if (result.kind === 'response') return result.status;
  if (result.reason === 'rate_limited' || (result.reason === 'budget' && result.exhausted === true)) return 429;
  return undefined;
}

export function teammateLabel(body: unknown): TeammateSummary | undefined {
  if (!isRecord(body) || typeof body.id !== 'string') return undefined;
  const name = [body.first_name, body.last_name].filter((part) => typeof part === 'string' && part !== '').join(' ');
  const email = typeof body.email === 'string' ? body.email : undefined;
  const label = name && email ? `${name} <${email}>` : name || email || body.id;
  return { id: body.id, label };
}

export async function readPrivateAccess(get: RecordedGet, teammateId: string): Promise<PrivateAccess> {
  const result = await get(frontPaths.teammatePrivateInboxes(teammateId), `private inboxes of ${teammateId}`);
  if (result.kind !== 'response') return 'unknown';
  if (result.status === 200) return 'allowed';
  if (result.status === 403) return PREFERENCE_OFF_MESSAGE.test(result.error?.message ?? '') ? 'denied' : 'forbidden';
  return 'unknown';
}

/** What the teammate map keeps: the teammates whose listing told their preference (another refusal tells nothing of it). */
export function preferenceFindings(results: { teammate: TeammateSummary; access: PrivateAccess }[]): TeammateFinding[] {
  return results.flatMap(({ teammate, access }) =>
    access === 'allowed' || access === 'denied' ? [{ id: teammate.id, label: teammate.label, access }] : [],
  );
}

export interface TeammatePage {
  teammates: TeammateSummary[];
  /** Front has more teammates than this page: whoever is not on it was never seen. */
  more: boolean;
  /** The company's requests per minute, as Front's headers on the list said. */
  limitPerMinute?: number;
}

/** One page of teammates (a diagnosis never walks further), and whether Front said there is another. */
export async function readTeammatePage(get: RecordedGet): Promise<TeammatePage | undefined> {
  const result = await get(frontPaths.teammates(), 'list teammates');
  if (result.kind !== 'response' || result.status !== 200 || !isRecord(result.body)) return undefined;
  const list = result.body._results;
  if (!Array.isArray(list)) return undefined;
  const pagination = result.body._pagination;
  const next = isRecord(pagination) ? pagination.next : undefined;
  return {
    teammates: list.map(teammateLabel).filter((t): t is TeammateSummary => t !== undefined),
    more: typeof next === 'string' && next !== '',
    ...(result.rateLimit.limit !== undefined ? { limitPerMinute: result.rateLimit.limit } : {}),
  };
}

export async function readTeammates(get: RecordedGet): Promise<TeammateSummary[] | undefined> {
  return (await readTeammatePage(get))?.teammates;
}

/** The ID at the end of a Front link such as https://acme.api.frontapp.com/teammates/tea_1. */
export function idFromLink(link: unknown, collection: string): string | undefined {
  if (typeof link !== 'string') return undefined;
  const match = new RegExp(`/${collection}/([a-z]{2,4}_[0-9a-z]+)(?:[/?#]|$)`).exec(link);
  return match?.[1];
}
