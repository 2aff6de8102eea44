import type { AuditReport } from '../../diagnosis/audit';
import { escapedFallback, packMessages, sections, simpleMessage, type Block, type SlackMessage } from './block-kit';
import { escapeText, inlineCode, oneLine } from './escape';

export function auditProgressMessage(tenant: string, done: number, total: number | undefined): SlackMessage {
  const count = total === undefined ? 'listing teammates…' : `${done} of ${total} teammates checked…`;
  return simpleMessage(`:hourglass_flowing_sand: Auditing *${escapeText(tenant)}*: ${count}`);
}

export function auditDoneMessage(tenant: string, report: AuditReport): SlackMessage {
  const checked = report.teammates ? report.teammates.total - report.teammates.notChecked.length : 0;
  const total = report.teammates?.total;
  const summary = total === undefined ? 'stopped early' : `${checked} of ${total} teammates checked`;
  return simpleMessage(`Audit of *${escapeText(tenant)}* finished: ${summary}, ${report.calls} request(s) to Front.`);
}

/** The admin's view of the sweep, as thread replies: the token's health, then exactly who to fix. */
export function auditReportMessages(tenant: string, report: AuditReport, maskedToken: string): SlackMessage[] {
  const blocks: Block[] = [];
  const t = report.token;
  const validity =
    t.valid === true
      ? 'valid'
      : t.valid === false
        ? `refused by Front (${t.status ?? ''} ${oneLine(t.message ?? '')})`.trim()
        : 'could not be checked';
  const company = t.companyName ? ` — company *${escapeText(t.companyName)}*` : '';
  const scopes = t.scopes
    ? t.scopes.length > 0
      ? t.scopes.map((s) => inlineCode(s)).join(', ')
      : '(none)'
    : 'not in the token (Front keeps them)';
  blocks.push(
    ...sections(
      `*Token* ${inlineCode(maskedToken)} of *${escapeText(tenant)}*: ${escapeText(validity)}${company}\nKind: ${escapeText(t.kind)} · scopes: ${scopes}`,
    ),
  );

  const tm = report.teammates;
  if (tm) {
    if (tm.preferenceOff.length === 0) {
      blocks.push(
        ...sections(
          `No checked teammate has *Allow access to my individual resources via the API* turned off (${tm.total - tm.notChecked.length} of ${tm.total} checked).`,
        ),
      );
    } else {
      const names = tm.preferenceOff.map((p) => `• ${escapeText(oneLine(p.label))}`).join('\n');
      blocks.push(
        ...sections(
          `*Allow access to my individual resources via the API* is *off* for ${tm.preferenceOff.length}:\n${names}`,
        ),
        ...sections(
          'To fix: each of them turns it on (gear icon → Personal tab → Preferences), or an admin does it for them: gear icon → Company settings → Teammates → pick the teammate → Preferences.',
        ),
      );
    }
    if (tm.forbidden.length > 0) {
      const names = tm.forbidden.map((p) => `• ${escapeText(oneLine(p.label))}`).join('\n');
      blocks.push(
        ...sections(
          `The token could not read the private resources of ${tm.forbidden.length} teammate(s) for another reason (does it have the private resources scope?):\n${names}`,
        ),
      );
    }
  }
  if (report.incomplete) blocks.push(...sections(`*Incomplete:* ${escapeText(report.incomplete)}.`));
  const fallback = tm
    ? `Audit of ${tenant}: ${tm.preferenceOff.length} teammate(s) with API access to their individual resources turned off`
    : `Audit of ${tenant}: ${report.incomplete ?? 'incomplete'}`;
  return packMessages(blocks, escapedFallback(fallback));
}
