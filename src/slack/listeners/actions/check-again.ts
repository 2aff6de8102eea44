import { renderOutcome, renderWait } from '../../render/blocks';
import { contexts } from '../../render/block-kit';
import type { SlackDeps } from '../../app/deps';
import { postAll } from '../../send/reply';
import { mustWait, runDiagnosis } from '../../checks/run-diagnosis';
import { channelTenant } from '../../checks/tenant-connections';
import { startOwnerSweep } from '../../checks/owner-sweeps';
import { buttonHandler, tellClicker } from './button';

/** "Check again": runs the checks again now and adds the fresh answer to the same thread. */
export function checkAgainAction(deps: SlackDeps) {
  return buttonHandler(deps, 'checking again', async (click, args) => {
    const { client } = args;
    const tenant = await channelTenant(deps.store, deps.config, click.who.teamId, click.who.channelId);
    const result = await runDiagnosis(deps, click.who, click.value, tenant, 'check again');
    // Only the person who clicked needs to know; the thread keeps its answers.
    if (mustWait(result)) {
      await tellClicker(args, click, renderWait(result.wait));
      return;
    }
    const [first, ...rest] = renderOutcome(result.outcome, result.view);
    const stamped = first
      ? [{ ...first, blocks: [...contexts(':repeat: Checked again just now'), ...first.blocks].slice(0, 50) }, ...rest]
      : [];
    if (!click.threadTs) return;
    await postAll(client, click.who.channelId, stamped, click.threadTs);
    await startOwnerSweep(deps, click.who, tenant, result.outcome, click.threadTs);
  });
}
