import { customerMessage } from '../../render/blocks-customer';
import type { SlackDeps } from '../../app/deps';
import { mustWait, runDiagnosis } from '../../checks/run-diagnosis';
import { renderWait } from '../../render/blocks';
import { channelTenant } from '../../checks/tenant-connections';
import { buttonHandler, tellClicker } from './button';

/**
 * "Message for the customer": a customer-ready text for their admin, shown only to the agent to copy. The checks
 * run again (answers are cached briefly per tenant), so the text matches what Front says now.
 */
export function customerMessageAction(deps: SlackDeps) {
  return buttonHandler(deps, 'writing the customer message', async (click, args) => {
    const tenant = await channelTenant(deps.store, deps.config, click.who.teamId, click.who.channelId);
    const result = await runDiagnosis(deps, click.who, click.value, tenant, 'customer message');
    const message = mustWait(result) ? renderWait(result.wait) : customerMessage(result.outcome);
    if (!(await tellClicker(args, click, message))) throw new Error('no way to show the customer message');
  });
}
