import type { webApi } from '@slack/bolt';
import type { HomeView } from '../render/home-view';
import { retryRateLimited } from './slack-retry';

/** Replaces what `userId` sees in the app's Home tab. */
export async function publishHome(client: webApi.WebClient, userId: string, view: HomeView): Promise<void> {
  await retryRateLimited(() => client.views.publish({ user_id: userId, view }));
}
