import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../app/deps';
import { COMMAND, frontWhyCommand } from './front-why';

export function registerCommands(app: App, deps: SlackDeps): void {
  app.command(COMMAND, frontWhyCommand(deps));
}
