import { simpleMessage } from '../render/block-kit';
import { recordActivity } from '../checks/record-activity';
import { escapeText, inlineCode } from '../render/escape';
import { cannotPostHere, post, respondEphemeral } from '../send/reply';
import { answerCustomer, answerInsiderPrivately, CUSTOMER_LIMITS } from '../checks/customer-mode';
import type { CustomerChannel } from '../../store';
import { authorIsExternal } from '../checks/author-team';
import { findMirrorChannel } from '../checks/mirror-channel';
import { parseOnOff, requireAdmin, requireInsider } from './guards';
import type { SlashVerb, VerbContext } from './verb';

const USAGE =
  'Usage: `/front-why customer-mode on`, `/front-why customer-mode on #support-acme-internal` (an internal channel I am in, which gets the full answers) or `/front-why customer-mode off`.';

/**
 * `customer-mode on [mirror] | off`, admins of this workspace only: in this channel (shared with one customer and
 * bound to their tenant) the customer's people get the customer answer and the vendor's people the full one privately.
 */
export async function customerModeVerb(ctx: VerbContext): Promise<void> {
  if (!(await requireInsider(ctx)) || !(await requireAdmin(ctx, 'change `customer-mode`'))) return;
  const { deps, who } = ctx;
  const on = parseOnOff(ctx.args[0]);
  const mirrorArg = ctx.args[1];
  if (on === undefined || ctx.args.length > 2 || (mirrorArg !== undefined && !on)) {
    await respondEphemeral(ctx.respond, simpleMessage(USAGE));
    return;
  }
  if (!on) {
    const was = await deps.store.clearCustomerChannel(who.teamId, who.channelId);
    if (was) await recordActivity(deps, who, { action: 'channel.settings', detail: 'customer-mode off' });
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        was
          ? 'Customer mode is off: this channel answers as any other (people from other organisations get no answer unless `allow-external` is on).'
          : 'Customer mode was not on in this channel.',
      ),
    );
    return;
  }
  const binding = await deps.store.getChannelBinding(who.teamId, who.channelId);
  if (!binding) {
    await respondEphemeral(
      ctx.respond,
      simpleMessage(
        'Bind this channel to the customer’s tenant first (`/front-why bind NAME`): in customer mode only that tenant is checked.',
      ),
    );
    return;
  }
  const mirror = mirrorArg === undefined ? undefined : await findMirrorChannel(ctx.client, mirrorArg);
  if (mirror && !mirror.ok) {
    await respondEphemeral(ctx.respond, simpleMessage(mirror.problem));
    return;
  }
  const mirrorChannelId = mirror?.id ?? null;
  if (mirrorChannelId === who.channelId) {
    await respondEphemeral(ctx.respond, simpleMessage('The mirror must be an internal channel, not this one.'));
    return;
  }
  await deps.store.setCustomerChannel({
    teamId: who.teamId,
    channelId: who.channelId,
    mirrorChannelId,
    setBy: who.userId,
  });
  await recordActivity(deps, who, {
    action: 'channel.settings',
    tenant: binding.tenant,
    detail: `customer-mode on${mirrorChannelId ? ` mirror=${mirrorChannelId}` : ''}`,
  });
  const mirrored = mirrorChannelId
    ? ` The full answer, with a link to the thread, goes to <#${escapeText(mirrorChannelId)}>.`
    : '';
  await respondEphemeral(
    ctx.respond,
    simpleMessage(
      `:handshake: Customer mode is on, with tenant *${escapeText(binding.tenant)}*. People from other organisations here get the customer answer in the thread (what to change on their side, nothing internal) and can ask to be told when it works, up to ${CUSTOMER_LIMITS.perPerson} checks an hour each. People of this workspace get the full answer privately.${mirrored}`,
    ),
  );
}

/** Verbs that are not checks, for the customer's people: refused, whatever the channel's other settings. */
const CUSTOMER_HELP = [
  'In this channel you can ask me about a Front API error:',
  '• paste the error your integration got from Front (status and body), or',
  '• `/front-why cnv_123abc` with the ID of the conversation (or message, tag, …) it failed on.',
  'I answer in the thread with what to change on your side, and can tell you when it works.',
].join('\n');

/**
 * `/front-why …` in a customer channel. The customer's people may check (the customer answer, in a thread) and read
 * the help; every other verb (bind, connect, audit, schedule, reload, watches, settings) is refused. The vendor's
 * people get the full answer to a check privately, and every other verb as anywhere else.
 */
export function inCustomerChannel(
  customer: CustomerChannel,
  verbName: string,
  verb: SlashVerb | undefined,
  elsewhere: SlashVerb,
): SlashVerb {
  return async (ctx) => {
    // The full answer is never handed on the command's own team alone: Slack is asked too (users.info, kept an
    // hour), and either saying "another organisation" (or the lookup failing) makes the author a customer.
    const external =
      ctx.external || (await authorIsExternal(ctx.deps, ctx.client, ctx.who.userId, ctx.who.channelId, {}));
    if (external) {
      if (ctx.text === '' || verbName === 'help') {
        await respondEphemeral(ctx.respond, simpleMessage(CUSTOMER_HELP, 'front-why: help'));
        return;
      }
      if (verb) {
        ctx.deps.logger.info(
          { user: ctx.who.userId, channel: ctx.who.channelId, verb: verbName },
          'customer verb refused',
        );
        await respondEphemeral(
          ctx.respond,
          simpleMessage(`:no_entry: \`${escapeText(verbName)}\` is for the support team. ${CUSTOMER_HELP}`),
        );
        return;
      }
      await customerCheck(ctx, customer);
      return;
    }
    if (!verb && ctx.text !== '') {
      await answerInsiderPrivately(
        ctx.deps,
        ctx.who,
        { text: ctx.text },
        (m) => respondEphemeral(ctx.respond, m),
        'command',
      );
      return;
    }
    await elsewhere(ctx);
  };
}

const IDS = /\b(?:cnv|msg|tag|inb|rsp|sig|cha|tea|cmt|ctc)_[0-9a-z]{1,24}\b/g;

/** A short parent message naming only IDs of Front's shape (never the paste), then the customer answer under it. */
async function customerCheck(ctx: VerbContext, customer: CustomerChannel): Promise<void> {
  const { deps, who, client } = ctx;
  const ids = [...new Set(ctx.text.match(IDS) ?? [])].slice(0, 3);
  const what = ids.length > 0 ? ids.map((id) => inlineCode(id)).join(', ') : 'the pasted error';
  let parentTs: string;
  try {
    parentTs = await post(
      client,
      who.channelId,
      simpleMessage(`:mag: <@${escapeText(who.userId)}> asked me to check ${what}…`),
    );
  } catch (err) {
    if (!cannotPostHere(err)) throw err;
    await respondEphemeral(
      ctx.respond,
      simpleMessage('I cannot post in this channel yet; our support team needs to invite me here first.'),
    );
    return;
  }
  await answerCustomer(deps, client, who, customer, { text: ctx.text }, parentTs, parentTs, 'command');
}
