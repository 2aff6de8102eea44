import type { webApi } from '@slack/bolt';
import type { Logger } from '../../log';
import type { Store } from '../../store';
import type { AdminCheck } from '../app/admins';
import type { InFlight } from '../app/inflight';
import { homeView } from '../render/home-view';
import { errorFields } from '../send/failure';
import { publishHome } from '../send/home';
import { loadHomeData, viewerChannels } from './home-data';

/** Whose Home is refreshed when a tenant changes: the most recent viewers, kept in memory by this replica. */
const MAX_VIEWERS = 500;

export interface HomeViewDeps {
  store: Store;
  clock: () => number;
  teamId: string;
  admins: AdminCheck;
  inflight: InFlight;
  logger: Logger;
}

/**
 * Publishes a viewer's Home tab when they open it, and again for recent viewers of a tenant when an audit or a
 * schedule changes what it shows. Slack keeps the last published view, so a viewer this replica does not know
 * sees the new state the next time they open the tab.
 */
export class HomeViews {
  private readonly viewers = new Map<string, Set<string>>();

  constructor(
    private readonly deps: HomeViewDeps,
    private readonly client: webApi.WebClient,
  ) {}

  /** Builds and publishes `userId`'s Home; failures are logged, never thrown (nobody is waiting on an answer). */
  async open(userId: string): Promise<void> {
    try {
      const channels = await viewerChannels(this.client, userId);
      const { admin } = await this.deps.admins.check(this.client, userId);
      const data = await loadHomeData({
        store: this.deps.store,
        now: new Date(this.deps.clock()),
        teamId: this.deps.teamId,
        channels,
        admin,
      });
      await publishHome(this.client, userId, homeView(data));
      this.viewers.delete(userId);
      this.viewers.set(userId, new Set(data.tenants.map((t) => t.name)));
      if (this.viewers.size > MAX_VIEWERS) this.viewers.delete(this.viewers.keys().next().value as string);
    } catch (err) {
      this.deps.logger.warn({ err: errorFields(err), user: userId }, 'could not publish the Home tab');
    }
  }

  /** Refreshes, in the background, the Home of everyone who last saw `tenant` there. */
  tenantChanged(tenant: string): void {
    for (const [userId, tenants] of this.viewers) {
      if (tenants.has(tenant)) void this.deps.inflight.track(this.open(userId));
    }
  }
}
