import { simpleMessage } from '../render/block-kit';
import { recordActivity } from '../checks/record-activity';
import { escapeText } from '../render/escape';
import { respondEphemeral } from '../send/reply';
import { parseOnOff, requireAdmin, requireInsider } from './guards';
import type { VerbContext, SlashVerb } from './verb';

/** `listen on|off` and `allow-external on|off`: one per-channel switch each, admins only, recorded in the activity log. */
function channelSwitch(
  setting: 'listen' | 'allowExternal',
  word: string,
  describe: (on: boolean, ctx: VerbContext) => string,
): SlashVerb {
  return async (ctx) => {
    if (!(await requireInsider(ctx)) || !(await requireAdmin(ctx, `change \`${word}\``))) return;
    const value = parseOnOff(ctx.args[0]);
    if (value === undefined || ctx.args.length > 1) {
      await respondEphemeral(
        ctx.respond,
        simpleMessage(`Usage: \`/front-why ${word} on\` or \`/front-why ${word} off\`.`),
      );
      return;
    }
    await ctx.deps.store.setChannelSettings(ctx.who.teamId, ctx.who.channelId, { [setting]: value });
    await recordActivity(ctx.deps, ctx.who, { action: 'channel.settings', detail: `${word} ${value ? 'on' : 'off'}` });
    await respondEphemeral(ctx.respond, simpleMessage(describe(value, ctx)));
  };
}

export const listenVerb = channelSwitch('listen', 'listen', (on, ctx) =>
  on
    ? `:ear: I now answer, in a thread, messages here that contain a Front error or the ID of a conversation, message, tag or other resource that can be private. I must be a member of the channel to see them: \`/invite @${escapeText(ctx.deps.identity.botName)}\`.`
    : ctx.deps.config.FRONT_WHY_CHANNELS.includes(ctx.who.channelId)
      ? 'Listening is off for this channel in the settings, but FRONT_WHY_CHANNELS still lists it, so I keep listening until an operator removes it there.'
      : 'I no longer answer messages here on my own; `/front-why` still works.',
);

export const allowExternalVerb = channelSwitch('allowExternal', 'allow-external', (on) =>
  on
    ? ':warning: People from other organisations (Slack Connect) in this channel can now run checks with this channel’s tenant and see its masked token status.'
    : 'Only people from this workspace can run checks in this channel.',
);
