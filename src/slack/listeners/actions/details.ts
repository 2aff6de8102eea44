import { renderOutcomeDetails, renderWait } from '../../render/blocks';
import { contexts } from '../../render/block-kit';
import type { SlackDeps } from '../../app/deps';
import { postAll } from '../../send/reply';
import { mustWait, runDiagnosis } from '../../checks/run-diagnosis';
import { channelTenant } from '../../checks/tenant-connections';
import { buttonHandler, tellClicker } from './button';

/**
 * "Details": the why, what would decide it, the links and the live checks that decided, posted in the same thread.
 * The button carries the paste (like the other two), so it works after a restart and on any replica; the checks
 * run again (answers are cached briefly per tenant) and the details say so, since Front may have changed since.
 */
export function detailsAction(deps: SlackDeps) {
  return buttonHandler(deps, 'showing the details', async (click, args) => {
    const { client } = args;
    const tenant = await channelTenant(deps.store, deps.config, click.who.teamId, click.who.channelId);
    const result = await runDiagnosis(deps, click.who, click.value, tenant, 'details');
    if (mustWait(result)) {
      await tellClicker(args, click, renderWait(result.wait));
      return;
    }
    const [first, ...rest] = renderOutcomeDetails(result.outcome, result.view);
    const stamped = first
      ? [
          {
            ...first,
            blocks: [...contexts(':mag: The checks ran again for these details'), ...first.blocks].slice(0, 50),
          },
          ...rest,
        ]
      : [];
    if (click.threadTs) await postAll(client, click.who.channelId, stamped, click.threadTs);
  });
}
