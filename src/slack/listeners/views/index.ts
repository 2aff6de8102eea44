import type { App } from '@slack/bolt';
import { CONNECT_CALLBACK_ID } from '../../render/connect-view';
import type { SlackDeps } from '../../app/deps';
import { connectTokenSubmission } from './connect-token';

export function registerViews(app: App, deps: SlackDeps): void {
  app.view({ callback_id: CONNECT_CALLBACK_ID, type: 'view_submission' }, connectTokenSubmission(deps));
}
