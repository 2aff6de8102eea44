import { simpleMessage } from '../../render/block-kit';
import { escapeText, inlineCode } from '../../render/escape';
import { WATCH_ACTION_IDS, watchStartedMessage, watchStoppedMessage } from '../../render/blocks-watch';
import { customerWatchStartedMessage } from '../../render/blocks-customer-answer';
import type { SlackDeps } from '../../app/deps';
import { post } from '../../send/reply';
import { recordActivity } from '../../checks/record-activity';
import { startWatch } from '../../checks/watches';
import { buttonHandler, tellClicker } from './button';

/** "Watch until fixed": starts re-checking the answer's target and says so in the thread, with a Stop button. */
export function watchAction(deps: SlackDeps) {
  return buttonHandler(deps, 'starting the watch', async (click, args) => {
    if (!click.threadTs) {
      await tellClicker(args, click, simpleMessage('A watch reports in a thread: use the button under an answer.'));
      return;
    }
    const started = await startWatch(deps, click.who, click.threadTs, click.value);
    switch (started.kind) {
      case 'started':
        await post(
          args.client,
          click.who.channelId,
          watchStartedMessage(
            started.watch,
            click.who.userId,
            Math.round(deps.watch.schedule.intervalMs / 60_000) || 1,
          ),
          click.threadTs,
        );
        return;
      case 'already':
        await tellClicker(
          args,
          click,
          simpleMessage(
            `This thread already watches ${inlineCode(started.watch.label)}; I'll post here when it reads fine.`,
          ),
        );
        return;
      case 'fine':
        await post(
          args.client,
          click.who.channelId,
          simpleMessage(`:white_check_mark: ${inlineCode(started.label)} already reads fine: nothing to watch.`),
          click.threadTs,
        );
        return;
      case 'refused':
        await tellClicker(args, click, simpleMessage(`:no_entry: ${escapeText(started.message)}`));
        return;
    }
  });
}

/**
 * "Stop watching": ends the watch if it is still active and of this channel. The store's conditional end means a
 * runner finding it fixed at the same moment and this click cannot both tell the thread.
 */
export function stopWatchAction(deps: SlackDeps) {
  return buttonHandler(
    deps,
    'stopping the watch',
    async (click, args) => {
      const id = /^w[0-9a-f]{16}$/.test(click.value) ? click.value : undefined;
      const watch = id ? await deps.store.getWatch(id) : null;
      if (!watch || watch.teamId !== click.who.teamId || watch.channelId !== click.who.channelId) {
        await tellClicker(args, click, simpleMessage('That watch is not one of this channel.'));
        return;
      }
      // A customer stops their own watches only; the vendor's people may stop any.
      if (click.external && watch.startedBy !== click.who.userId) {
        await tellClicker(args, click, simpleMessage('Only the person who asked to be told can stop this.'));
        return;
      }
      const ended = await deps.store.endWatch(watch.id, {
        state: 'stopped',
        at: new Date(deps.watch.now()),
        by: click.who.userId,
      });
      if (!ended) {
        await tellClicker(
          args,
          click,
          simpleMessage(`That watch of ${inlineCode(watch.label)} already ended (${escapeText(watch.state)}).`),
        );
        return;
      }
      await recordActivity({ ...deps, clock: deps.watch.now }, click.who, {
        action: 'watch.stop',
        tenant: ended.tenant,
        target: ended.label,
        cause: ended.cause,
        detail: `watch=${ended.id} stopped by ${click.who.userId}`,
      });
      deps.homes.tenantChanged(ended.tenant);
      await post(args.client, click.who.channelId, watchStoppedMessage(ended, click.who.userId), ended.threadTs);
    },
    { forCustomers: true },
  );
}

/**
 * "Tell me when it works", under a customer answer: the same durable watch, started for whoever clicked and told to
 * them. Only the channel's bound tenant is ever watched with; a refusal is said in the customer's terms.
 */
export function customerWatchAction(deps: SlackDeps) {
  return buttonHandler(
    deps,
    'starting the watch',
    async (click, args) => {
      const threadTs = click.threadTs;
      const bound = await deps.store.getChannelBinding(click.who.teamId, click.who.channelId);
      if (!threadTs || !bound) {
        await tellClicker(
          args,
          click,
          simpleMessage('I cannot watch this here; our support team can see this thread.'),
        );
        return;
      }
      const started = await startWatch(deps, click.who, threadTs, click.value);
      switch (started.kind) {
        case 'started':
          await post(
            args.client,
            click.who.channelId,
            customerWatchStartedMessage(started.watch, click.who.userId, WATCH_ACTION_IDS.stop),
            threadTs,
          );
          return;
        case 'already':
          await tellClicker(
            args,
            click,
            simpleMessage(
              `I'm already watching ${inlineCode(started.watch.label)}; I'll tell this thread when it works.`,
            ),
          );
          return;
        case 'fine':
          await post(
            args.client,
            click.who.channelId,
            simpleMessage(
              `:white_check_mark: <@${escapeText(click.who.userId)}> ${inlineCode(started.label)} works already.`,
            ),
            threadTs,
          );
          return;
        case 'refused':
          deps.logger.info({ channel: click.who.channelId, why: started.message }, 'customer watch refused');
          await tellClicker(
            args,
            click,
            simpleMessage(
              'I cannot watch this right now. Please try again in a few minutes; our support team can see this thread.',
            ),
          );
          return;
      }
    },
    { forCustomers: true },
  );
}
