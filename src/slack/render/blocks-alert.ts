import { contexts, escapedFallback, sections, type SlackMessage } from './block-kit';
import { escapeText, inlineCode, oneLine, truncate } from './escape';

export interface AlertView {
  tenant: string;
  /** The API key whose calls these are. */
  keyName: string;
  cause: string;
  headline: string;
  fingerprint: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
}

const MAX_HEADLINE_CHARS = 500;

/** "09:00:01 UTC": the alerts are counted per UTC day, so the day goes without saying. */
const clockTime = (at: Date): string => `${at.toISOString().slice(11, 19)} UTC`;

/**
 * The parent of a grouped alert's thread: what keeps failing, for which tenant, how often today and when last. Posted
 * once per fingerprint a day and updated in place as failures arrive; the answer is in the thread.
 */
export function alertMessage(view: AlertView): SlackMessage {
  const times = view.count === 1 ? '1 failure' : `${view.count} failures`;
  const headline = escapeText(truncate(oneLine(view.headline), MAX_HEADLINE_CHARS));
  const blocks = [
    ...sections(`:rotating_light: *${escapeText(view.tenant)}*: ${headline}`),
    ...contexts(
      `${inlineCode(view.cause)} · *${times} today* · first ${clockTime(view.firstSeen)} · last ${clockTime(view.lastSeen)} · ` +
        `from API key ${inlineCode(view.keyName)} · ${inlineCode(view.fingerprint)} · the answer is in the thread`,
    ),
  ];
  return { text: escapedFallback(`${view.tenant}: ${times} today: ${oneLine(view.headline)}`), blocks };
}
