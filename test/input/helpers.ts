import { parsePaste } from '../../src/diagnosis';
import type { FrontIdRef, Observation } from '../../src/input';

export function parsed(paste: string): { errors: Observation[]; ids: FrontIdRef[] } {
  const result = parsePaste(paste);
  if (!result.ok) throw new Error(`expected the paste to be read, got ${result.reason}: ${result.message}`);
  return result;
}

/** The one error in a paste (fails when there are none or several). */
export function onlyError(paste: string): Observation {
  const { errors } = parsed(paste);
  expect(errors).toHaveLength(1);
  return errors[0] as Observation;
}

/** Everything but the excerpt, for exact comparisons. */
export function fields(observation: Observation): Omit<Observation, 'excerpt'> {
  const { excerpt: _excerpt, ...rest } = observation;
  return rest;
}

export function idList(paste: string): string[] {
  return parsed(paste).ids.map((i) => i.id);
}
