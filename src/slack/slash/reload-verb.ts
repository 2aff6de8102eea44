import { recordActivity } from '../checks/record-activity';
import { simpleMessage } from '../render/block-kit';
import { escapeText, inlineCode, truncate } from '../render/escape';
import { reloadSummary } from '../render/reload-report';
import { respondEphemeral } from '../send/reply';
import { requireAdmin, requireInsider } from './guards';
import type { VerbContext } from './verb';

/** Enough to fix a typo; the full list is in the log and in `npx front-why rules lint`. */
const MAX_ERRORS_SHOWN = 10;

/**
 * `/front-why reload`: loads rules/ again here and on every replica sharing the store, admins only. A broken file
 * changes nothing where it is broken: the rules already loaded keep answering, and the admin sees the
 * `file:line:col rule=<id>: message` lines, and how many replicas now serve how many rules.
 */
export async function reloadVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx)) || !(await requireAdmin(ctx, 'reload the rules'))) return;
  if (ctx.args.length > 0) {
    await respondEphemeral(
      ctx.respond,
      simpleMessage('Usage: `/front-why reload` (no arguments): loads the rule files again.'),
    );
    return;
  }
  const { local: result, report } = await ctx.deps.reloadEverywhere('slack', ctx.who.userId, {
    user: ctx.who.userId,
    channel: ctx.who.channelId,
  });
  // Alone on the store, this replica's own outcome says it all.
  const everywhere = report.replicas.length > 1 ? reloadSummary(report) : undefined;
  const also = everywhere === undefined ? '' : `; ${everywhere}`;
  await recordActivity(ctx.deps, ctx.who, {
    action: 'rules.reload',
    detail: result.ok
      ? `slack: ${result.rules} rule files loaded (was ${result.previous})${also}`
      : `slack: refused, ${result.errors.length} error(s); ${result.serving} rule files keep serving${also}`,
  });
  const replicas = everywhere === undefined ? '' : ` Replicas: ${escapeText(truncate(everywhere, 1500))}.`;
  if (result.ok) {
    const allGood = report.silent.length === 0 && report.outcomes.every((o) => o.ok);
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        `${allGood ? ':white_check_mark:' : ':warning:'} Rules reloaded: *${result.rules}* rule files loaded from ${inlineCode(result.dir)} (before: ${result.previous}).${replicas} New checks use them from now on.`,
      ),
    );
    return;
  }
  const shown = result.errors
    .slice(0, MAX_ERRORS_SHOWN)
    .map((line) => escapeText(truncate(line, 250)).replace(/```/g, "'''"));
  const more =
    result.errors.length > MAX_ERRORS_SHOWN
      ? `\n…and ${result.errors.length - MAX_ERRORS_SHOWN} more (all of them: \`npx front-why rules lint\`).`
      : '';
  await respondEphemeral(
    ctx.respond,
    simpleMessage(
      `:warning: The rules in ${inlineCode(result.dir)} did not load, so nothing changed: the *${result.serving}* rule files already loaded keep answering.${replicas} Fix ${result.errors.length === 1 ? 'this' : 'these'} and run \`/front-why reload\` again:\n\`\`\`${shown.join('\n')}\`\`\`${more}`,
    ),
  );
}
