import { simpleMessage } from '../render/block-kit';
import { escapeText } from '../render/escape';
import { respondEphemeral } from '../send/reply';
import { RESERVED_TENANT_NAMES } from '../../store';
import type { VerbContext } from './verb';
import { HOW_TO_NAME_ADMINS } from '../app/admins';

/** Admin-only verbs answer everyone else with a clear refusal, never silence. */
export async function requireAdmin(ctx: VerbContext, what: string): Promise<boolean> {
  const verdict = await ctx.deps.admins.check(ctx.client, ctx.who.userId);
  if (verdict.admin) return true;
  if (!ctx.deps.admins.configured) {
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        `:no_entry: Only front-why admins can ${what}, and none is set up yet. To make someone an admin, ${HOW_TO_NAME_ADMINS}. Your member ID is \`${escapeText(ctx.who.userId)}\`. Meanwhile \`front-why tenants add NAME\` on the server stores a tenant's token.`,
      ),
    );
    return false;
  }
  const why = verdict.problem ? ` (${escapeText(verdict.problem)})` : '';
  await respondEphemeral(
    ctx.respond,
    simpleMessage(
      `:no_entry: Only front-why admins can ${what}${why}. Admins are the people listed in FRONT_WHY_ADMINS and the members of the FRONT_WHY_ADMIN_GROUP user group; ask one of them.`,
    ),
  );
  return false;
}

/** Slack Connect guests run no probes and see no token details unless an admin allowed it for this channel. */
export async function requireInsider(ctx: VerbContext): Promise<boolean> {
  if (!ctx.external) return true;
  const settings = await ctx.deps.store.getChannelSettings(ctx.who.teamId, ctx.who.channelId);
  if (settings.allowExternal) return true;
  await respondEphemeral(
    ctx.respond,
    simpleMessage(
      ':no_entry: People from outside this workspace (Slack Connect) cannot run front-why checks in this channel. A front-why admin of this workspace can allow it with `/front-why allow-external on`.',
    ),
  );
  return false;
}

export function parseOnOff(word: string | undefined): boolean | undefined {
  if (word === 'on') return true;
  if (word === 'off') return false;
  return undefined;
}

/** Tenant names as the store accepts them; checked here too so a typo is refused before any modal opens. */
export const TENANT_NAME = /^[a-z0-9-]{1,40}$/;

/** Why a new tenant may not take `name` ("default" names FRONT_API_TOKEN), or undefined when it may. */
export function reservedNameProblem(name: string): string | undefined {
  if (!RESERVED_TENANT_NAMES.includes(name)) return undefined;
  return `${shownName(name)} is reserved: it names FRONT_API_TOKEN, the token of unbound channels. Choose another name, e.g. \`/front-why connect acme-prod\`.`;
}

export function shownName(name: string): string {
  return name.length <= 40 ? `"${escapeText(name)}"` : `(${name.length} characters)`;
}
