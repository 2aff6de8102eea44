import { customerMessage } from '../../render/blocks-customer';
import type { SlackDeps } from '../../app/deps';
import { runDiagnosis } from '../../checks/run-diagnosis';
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
    if (!(await tellClicker(args, click, customerMessage(result.outcome))))
      throw new Error('no way to show the customer message');
  });
}
