import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION_IDS } from '../../render/blocks';
import type { SlackDeps } from '../../app/deps';
import { checkAgainAction } from './check-again';
import { customerMessageAction } from './customer-message';
import { detailsAction } from './details';
import { customerWatchAction, stopWatchAction, watchAction } from './watch';
import { CUSTOMER_ACTION_IDS } from '../../render/blocks-customer-answer';
import { WATCH_ACTION_IDS } from '../../render/blocks-watch';

export function registerActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.checkAgain, checkAgainAction(deps));
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.customerMessage, customerMessageAction(deps));
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.details, detailsAction(deps));
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.watch, watchAction(deps));
  app.action<BlockAction<ButtonAction>>(WATCH_ACTION_IDS.stop, stopWatchAction(deps));
  app.action<BlockAction<ButtonAction>>(CUSTOMER_ACTION_IDS.watch, customerWatchAction(deps));
}
