import type { RulesReloadOutcome } from '../../store';

/** The parts of a reload report the summary reads (src/slack/app/rule-sync.ts). */
export interface ReloadSummaryInput {
  replicas: string[];
  outcomes: RulesReloadOutcome[];
  silent: string[];
  waitedMs: number;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * One plain line (escape it for Slack) for the admin who asked: "3 replicas now serve 19 rules", or "2 of 3
 * replicas now serve 19 rule files; replica X kept its 19 rule files: <first error>", naming replicas that did not answer.
 */
export function reloadSummary(report: ReloadSummaryInput): string {
  const total = report.replicas.length;
  const loaded = report.outcomes.filter((o) => o.ok);
  const counts = [...new Set(loaded.map((o) => o.rules))];
  const parts: string[] = [];
  const share = loaded.length === total ? `${total}` : `${loaded.length} of ${total}`;
  if (loaded.length === 0) {
    parts.push(`no replica of ${total} loaded the rules`);
  } else if (counts.length === 1) {
    const verb = loaded.length === 1 && total === 1 ? 'replica now serves' : 'replicas now serve';
    parts.push(`${share} ${verb} ${plural(counts[0] ?? 0, 'rule file', 'rule files')}`);
  } else {
    const each = loaded.map((o) => `${o.replica} ${plural(o.rules, 'rule file', 'rule files')}`).join(', ');
    parts.push(`${share} replicas reloaded, but not to the same rules (${each}): check FRONT_WHY_RULES_DIR on each`);
  }
  for (const failed of report.outcomes.filter((o) => !o.ok)) {
    const first = (failed.error ?? 'the rules did not load').split('\n')[0];
    parts.push(`replica ${failed.replica} kept its ${plural(failed.rules, 'rule file', 'rule files')}: ${first}`);
  }
  for (const id of report.silent) {
    parts.push(`replica ${id} did not answer within ${Math.round(report.waitedMs / 100) / 10} s`);
  }
  return parts.join('; ');
}
