import type { Observation } from './types';
import { charge } from './work';

/**
 * Front's own error wordings (docs/front-behaviour.md §3). They let a paste without an `_error` envelope still count
 * as a Front error, and the resource wording names what was refused.
 */

interface Wording {
  pattern: string;
  /** The status Front answers with this wording, when the wording alone leaves no doubt. */
  impliesStatus?: number;
  /** Distinctive enough to stand for a Front error even with no status next to it. */
  standsAlone?: boolean;
}

const WORDINGS: Wording[] = [
  {
    pattern: String.raw`This agent is not allowed to [A-Za-z_]+ the \\?["'][^"'\\\n]{1,80}\\?["'] with ID`,
    impliesStatus: 403,
    standsAlone: true,
  },
  { pattern: String.raw`This agent is not allowed to\b` },
  { pattern: 'You do not have access to the resources of this teammate', impliesStatus: 403, standsAlone: true },
  { pattern: String.raw`Rate limit exceeded for tier-?\d+ route`, impliesStatus: 429, standsAlone: true },
  { pattern: 'Rate limit exceeded' },
  { pattern: 'Token lacks the required', impliesStatus: 403, standsAlone: true },
  { pattern: 'You need to be an administrator of your Front instance', standsAlone: true },
  { pattern: String.raw`Unknown [a-z_]+(?: [a-z_]+)? ID\b` },
  { pattern: 'JSON Web Token error' },
  { pattern: 'Body did not satisfy requirements' },
  { pattern: 'Ticketing is not enabled' },
  { pattern: String.raw`Unexpected token .{1,40}? in JSON at position \d+` },
];

/** Any Front wording; the first alternative that matches tells which (see `classifyWording`). */
export const FRONT_WORDING = new RegExp(WORDINGS.map((w) => `(${w.pattern})`).join('|'), 'gi');

export function classifyWording(match: RegExpExecArray): Pick<Wording, 'impliesStatus' | 'standsAlone'> {
  const index = WORDINGS.findIndex((_w, i) => match[i + 1] !== undefined);
  const wording = WORDINGS[index];
  return wording ? { impliesStatus: wording.impliesStatus, standsAlone: wording.standsAlone } : {};
}

const NOT_ALLOWED =
  /not allowed to ([A-Za-z_]+) the \\?["']([^"'\\\n]{1,80})\\?["'] with ID:?[ \t]*\\?["']?([A-Za-z0-9][^"'\\\s]{0,119})(?:\\?["'])?/i;
const UNKNOWN_ID = /\bUnknown ([a-z_]+(?: [a-z_]+)?) ID:?[ \t]*["']?([^"'\s,;]{1,120})/i;

/**
 * Where a wording starting at `from` ends: past the quoted ID of a "not allowed" sentence, which has quotes of
 * its own. Only [from, limit) is read: the part of the line the wording was found in.
 */
export function wordingEnd(text: string, from: number, matchEnd: number, limit: number = text.length): number {
  const window = text.slice(from, Math.min(limit, from + 400));
  charge(window.length);
  const refused = NOT_ALLOWED.exec(window);
  return refused && refused.index <= 'This agent is '.length ? from + refused.index + refused[0].length : matchEnd;
}

/** What was refused: `This agent is not allowed to read the "conversation" with ID: "cnv_1"`, or `Unknown conversation ID cn_123`. */
export function resourceFromMessage(message: string | undefined): Observation['resource'] | undefined {
  if (!message) return undefined;
  const refused = NOT_ALLOWED.exec(message);
  if (refused?.[1] && refused[2] && refused[3]) {
    return {
      verb: refused[1].toLowerCase(),
      kind: refused[2].trim().toLowerCase(),
      id: refused[3].replace(/[.,;]+$/, ''),
    };
  }
  const unknown = UNKNOWN_ID.exec(message);
  if (unknown?.[1] && unknown[2] && unknown[1].toLowerCase() !== 'token') {
    return { kind: unknown[1].toLowerCase().replace(/ /g, '_'), id: unknown[2].replace(/[.,;]+$/, '') };
  }
  return undefined;
}
