import { recordActivity } from '../checks/record-activity';
import { simpleMessage } from '../render/block-kit';
import { escapeText, inlineCode, truncate } from '../render/escape';
import { respondEphemeral } from '../send/reply';
import { requireAdmin, requireInsider } from './guards';
import type { VerbContext } from './verb';

/** Enough to fix a typo; the full list is in the log and in `npx front-why rules lint`. */
const MAX_ERRORS_SHOWN = 10;

/**
 * `/front-why reload`: loads rules/ again in this process, admins only. A broken file changes nothing: the rules
 * already loaded keep answering, and the admin sees the `file:line:col rule=<id>: message` lines. With several
 * replicas, only the one that received the command reloads (SIGHUP or `front-why rules reload` on each host).
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
  const result = ctx.deps.reloadRules('slack', { user: ctx.who.userId, channel: ctx.who.channelId });
  await recordActivity(ctx.deps, ctx.who, {
    action: 'rules.reload',
    detail: result.ok
      ? `slack: ${result.rules} rules loaded (was ${result.previous})`
      : `slack: refused, ${result.errors.length} error(s); ${result.serving} rules keep serving`,
  });
  if (result.ok) {
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        `:white_check_mark: Rules reloaded: *${result.rules}* rules loaded from ${inlineCode(result.dir)} (before: ${result.previous}). New checks use them from now on.`,
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
      `:warning: The rules in ${inlineCode(result.dir)} did not load, so nothing changed: the *${result.serving}* rules already loaded keep answering. Fix ${result.errors.length === 1 ? 'this' : 'these'} and run \`/front-why reload\` again:\n\`\`\`${shown.join('\n')}\`\`\`${more}`,
    ),
  );
}
