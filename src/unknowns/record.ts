import type { Observation } from '../input';
import type { UnknownWordingStore } from '../store';
import { wordingId, wordingTemplate } from './template';

/** A wording no rule knows, ready to be counted. */
export interface UnknownWordingSighting {
  id: string;
  template: string;
  status: number | null;
}

/** The wording of each error the `unknown` rule answered; the same wording twice in one paste counts once. */
export function unknownSightings(errors: readonly Observation[]): UnknownWordingSighting[] {
  const seen = new Map<string, UnknownWordingSighting>();
  for (const error of errors) {
    const text = error.message ?? error.title;
    if (!text || text.trim() === '') continue;
    const template = wordingTemplate(text);
    if (template === '') continue;
    const status = error.status ?? null;
    const id = wordingId(template, status);
    if (!seen.has(id)) seen.set(id, { id, template, status });
  }
  return [...seen.values()];
}

/**
 * Counts each sighting in the store; returns how many wordings were new. `tenant`: whose paste it was (a stored
 * tenant's name, "default" for FRONT_API_TOKEN), or null when none was involved (`explain`).
 */
export async function recordUnknownWordings(
  store: UnknownWordingStore,
  sightings: readonly UnknownWordingSighting[],
  tenant: string | null,
  at: Date,
): Promise<{ recorded: number; created: number }> {
  let created = 0;
  for (const s of sightings) {
    const result = await store.recordUnknownWording({ ...s, tenant, at });
    if (result.created) created += 1;
  }
  return { recorded: sightings.length, created };
}
