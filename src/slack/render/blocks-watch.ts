import type { Watch } from '../../store';
import { actions, contexts, fallbackText, sections, simpleMessage, type SlackMessage } from './block-kit';
import { escapeText, inlineCode, oneLine, truncate } from './escape';

/** Watch messages in a thread. Everything from the store, Front or a paste is escaped here. */

/** The most watches `/front-why watches` lists; the rest are counted. */
export const MAX_LISTED_WATCHES = 20;

export const WATCH_ACTION_IDS = { stop: 'front_why_stop_watch' } as const;

function label(watch: Watch): string {
  return inlineCode(truncate(oneLine(watch.label), 120));
}

/** The answer to a click on "Watch until fixed", with the button that stops it. */
export function watchStartedMessage(watch: Watch, startedBy: string, intervalMinutes: number): SlackMessage {
  const text = `:eyes: Watching ${label(watch)} — I'll post here when it reads fine.`;
  const detail = `Started by <@${escapeText(startedBy)}>. Re-checked with tenant *${escapeText(watch.tenant)}* after ${intervalMinutes} min, then less often (at most every 30 min), until ${watch.expiresAt.toISOString().slice(0, 10)}.`;
  return {
    text: fallbackText(text),
    blocks: [
      ...sections(text),
      ...contexts(detail),
      actions([{ actionId: WATCH_ACTION_IDS.stop, label: 'Stop watching', value: watch.id, style: 'danger' }]),
    ],
  };
}

const NOTICE_ICONS = {
  fixed: ':white_check_mark:',
  changed: ':warning:',
  expired: ':hourglass:',
  stopped: ':octagonal_sign:',
};

/** What the runner tells the thread (`text` is plain: escaped here). */
export function watchNoticeMessage(kind: keyof typeof NOTICE_ICONS, text: string): SlackMessage {
  return simpleMessage(`${NOTICE_ICONS[kind]} ${escapeText(truncate(text, 1_500))}`);
}

export function watchStoppedMessage(watch: Watch, by: string): SlackMessage {
  return simpleMessage(`:octagonal_sign: Stopped watching ${label(watch)} (<@${escapeText(by)}>).`);
}

/** `/front-why watches`: this channel's active watches. */
export function watchListMessage(watches: Watch[], now: number): SlackMessage {
  if (watches.length === 0) {
    return simpleMessage(
      'No watches in this channel. Click *Watch until fixed* under an answer to have the thread told when it reads fine.',
    );
  }
  const lines = watches.slice(0, MAX_LISTED_WATCHES).map((w) => {
    const next = Math.max(0, Math.round((w.nextCheckAt.getTime() - now) / 60_000));
    return `• ${label(w)} · tenant *${escapeText(w.tenant)}* · ${inlineCode(w.lastCause ?? w.cause)} · ${w.attempts} re-check(s), next in ${next} min · started by <@${escapeText(w.startedBy)}>`;
  });
  if (watches.length > MAX_LISTED_WATCHES) lines.push(`… and ${watches.length - MAX_LISTED_WATCHES} more`);
  return simpleMessage(`*Watching in this channel* (${watches.length})\n${lines.join('\n')}`, 'front-why: watches');
}
