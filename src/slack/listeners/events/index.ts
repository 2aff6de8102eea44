import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../app/deps';
import { homeOpened } from './home-opened';
import { passiveMessage } from './message';

export function registerEvents(app: App, deps: SlackDeps): void {
  app.event('message', passiveMessage(deps));
  app.event('app_home_opened', homeOpened(deps));
}
