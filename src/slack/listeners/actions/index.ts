import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION_IDS } from '../../render/blocks';
import type { SlackDeps } from '../../app/deps';
import type { ButtonArgs } from './button';
import { checkAgainAction } from './check-again';
import { customerMessageAction } from './customer-message';
import { detailsAction } from './details';
import { customerWatchAction, stopWatchAction, watchAction } from './watch';
import { CUSTOMER_ACTION_IDS } from '../../render/blocks-customer-answer';
import { WATCH_ACTION_IDS } from '../../render/blocks-watch';

/**
 * Every button through one listener. Bolt runs each listener's middleware chain for every request it receives (a
 * command or a message as well as a click), so six button listeners cost six chains per request, held while it is
 * acknowledged; one costs one.
 */
export function registerActions(app: App, deps: SlackDeps): void {
  const byActionId = new Map<string, (args: ButtonArgs) => Promise<void>>([
    [ACTION_IDS.checkAgain, checkAgainAction(deps)],
    [ACTION_IDS.customerMessage, customerMessageAction(deps)],
    [ACTION_IDS.details, detailsAction(deps)],
    [ACTION_IDS.watch, watchAction(deps)],
    [WATCH_ACTION_IDS.stop, stopWatchAction(deps)],
    [CUSTOMER_ACTION_IDS.watch, customerWatchAction(deps)],
  ]);
  // The ids are plain words (front_why_…): nothing in them to escape.
  const ours = new RegExp(`^(?:${[...byActionId.keys()].join('|')})$`);
  app.action<BlockAction<ButtonAction>>(ours, async (args) => {
    await byActionId.get(args.action.action_id)?.(args);
  });
}
