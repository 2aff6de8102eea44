import type { AuditReport } from './audit';

/** The audit as an admin reads it: the token's health, then exactly who to fix. */
export function auditToText(report: AuditReport, maskedToken: string): string {
  const lines: string[] = [];
  const t = report.token;
  const validity =
    t.valid === true
      ? 'valid'
      : t.valid === false
        ? `refused by Front (${t.status ?? ''} ${t.message ?? ''})`.trim()
        : 'could not be checked';
  lines.push(`Token ${maskedToken}: ${validity}${t.companyName ? ` — company "${t.companyName}"` : ''}`);
  lines.push(
    `  kind: ${t.kind}; scopes: ${t.scopes ? t.scopes.join(', ') || '(none)' : 'not in the token (permissions are kept by Front)'}`,
  );
  if (t.workspaceIds.length > 0) lines.push(`  restricted to workspaces: ${t.workspaceIds.join(', ')}`);

  const tm = report.teammates;
  if (tm) {
    lines.push('', `Teammates checked: ${tm.total - tm.notChecked.length} of ${tm.total}`);
    if (tm.preferenceOff.length === 0) {
      lines.push('No checked teammate has "Allow access to my individual resources via the API" turned off.');
    } else {
      lines.push(`"Allow access to my individual resources via the API" is OFF for ${tm.preferenceOff.length}:`);
      tm.preferenceOff.forEach((t) => lines.push(`  - ${t.label}`));
      lines.push(
        '',
        'To fix: each of them turns it on (gear icon → Personal tab → Preferences), or an admin does it for them:',
        'gear icon → Company settings → Teammates → pick the teammate → Preferences.',
      );
    }
    if (tm.skipped) {
      lines.push('', `Skipped ${tm.skipped.length} teammate(s):`);
      tm.skipped.forEach((t) => lines.push(`  - ${t.label}: ${t.note}`));
    }
    if (tm.forbidden.length > 0) {
      lines.push(
        '',
        `The token could not read the private resources of ${tm.forbidden.length} teammate(s) for another reason (does it have the private resources scope?):`,
      );
      tm.forbidden.forEach((t) => lines.push(`  - ${t.label}`));
    }
  }
  if (report.incomplete) lines.push('', `Incomplete: ${report.incomplete}.`);
  lines.push('', `${report.calls} request(s) to Front.`);
  return lines.join('\n');
}
