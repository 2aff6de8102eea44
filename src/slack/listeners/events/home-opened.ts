import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../app/deps';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/** Opening the Home tab publishes it afresh; the Messages tab needs nothing. */
export function homeOpened(deps: SlackDeps) {
  return async ({ event }: Args): Promise<void> => {
    if (event.tab !== 'home') return;
    await deps.inflight.track(deps.homes.open(event.user));
  };
}
