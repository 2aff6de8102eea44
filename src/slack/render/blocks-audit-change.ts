import type { AuditChange } from '../../diagnosis/audit-change';
import type { AuditTeammate } from '../../store';
import { simpleMessage, type SlackMessage } from './block-kit';
import { escapeText } from './escape';

const PREFERENCE = '"Allow access to my individual resources via the API"';
/** A long list would bury the point; the rest is counted. */
const MAX_NAMES = 15;

function names(list: AuditTeammate[]): string {
  const shown = list.slice(0, MAX_NAMES).map((t) => `• ${escapeText(t.name)}`);
  if (list.length > MAX_NAMES) shown.push(`• and ${list.length - MAX_NAMES} more`);
  return shown.join('\n');
}

/** What a scheduled audit posts in a bound channel: a baseline once, then only what changed. */
export function auditChangeMessage(change: AuditChange): SlackMessage {
  const tenant = escapeText(change.tenant);
  const r = change.result;
  const lines: string[] = [];
  if (change.kind === 'baseline') {
    const token = r.tokenWorks ? 'the token works' : 'Front refuses the token';
    const off =
      r.preferenceOff.length === 0
        ? `no teammate has ${PREFERENCE} off`
        : `${r.preferenceOff.length} teammate(s) have ${PREFERENCE} off:\n${names(r.preferenceOff)}`;
    lines.push(
      `:clipboard: Scheduled audit of *${tenant}*: baseline recorded (${r.checked} of ${r.total} teammates checked). ${token.charAt(0).toUpperCase()}${token.slice(1)}; ${off}`,
      'From now on I post here only when this changes.',
    );
    return simpleMessage(lines.join('\n'), `Scheduled audit of ${tenant}: baseline recorded`);
  }
  lines.push(`:mag: Scheduled audit of *${tenant}*: something changed since the last run.`);
  if (change.token === 'stopped')
    lines.push(
      `:rotating_light: *The token stopped working* (${escapeText(r.tokenError ?? 'refused')}): checks in this channel will fail until an admin connects a new one with \`/front-why connect ${tenant}\`.`,
    );
  if (change.token === 'works-again') lines.push(':white_check_mark: *The token works again.*');
  if (change.newlyOff.length > 0)
    lines.push(
      `:warning: *Newly with ${PREFERENCE} off* — calls to their individual inboxes will fail next:\n${names(change.newlyOff)}`,
      'Each of them turns it on (gear icon → Personal tab → Preferences), or an admin does it for them (gear icon → Company settings → Teammates → pick the teammate → Preferences).',
    );
  if (change.turnedOn.length > 0)
    lines.push(
      `:white_check_mark: *Turned it on* — their individual resources read fine again:\n${names(change.turnedOn)}`,
    );
  return simpleMessage(lines.join('\n'), `Scheduled audit of ${tenant}: something changed`);
}
