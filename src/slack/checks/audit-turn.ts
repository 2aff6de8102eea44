import type { Requester, SlackDeps } from '../app/deps';
import { recordActivity } from './record-activity';

/** What an audit by hand leaves in the activity log when it starts: when the next one may start is read from it. */
export const AUDIT_START_ACTION = 'audit.start';

export type AuditTurn = { ok: true } | { ok: false; wait: string };

export interface AuditTurnOf {
  /** The tenant's budget key: one claim per rate window, whatever the tenant is called in Slack. */
  key: string;
  /** The tenant as people name it, as the activity log records it. */
  label: string;
  /** A stored tenant, whose scheduled audit (if any) may be running now. */
  stored?: string;
}

/**
 * Whether an audit by hand of a tenant may start now. A sweep asks Front about every teammate, so run again and
 * again (or by several people at once) it would spend the customer's rate limit on answers already given. So an
 * audit by hand starts at most once per FRONT_WHY_AUDIT_COOLDOWN_MS per tenant, across every replica (a claim in
 * the store that lasts that long), and stops by then, so two never run at once; nor does one start while the
 * tenant's scheduled audit runs. Taking the turn records `audit.start`, from which the next person learns how long
 * to wait.
 */
export async function takeAuditTurn(
  deps: Pick<SlackDeps, 'store' | 'logger' | 'clock' | 'config'>,
  who: Requester,
  of: AuditTurnOf,
): Promise<AuditTurn> {
  const { store, clock } = deps;
  const cooldownMs = deps.config.FRONT_WHY_AUDIT_COOLDOWN_MS;
  const now = clock();
  const why = `one audit of a tenant at a time, and by hand at most once every ${duration(cooldownMs)}, so that ${of.label}'s own integrations keep their share of its Front rate limit`;

  const schedule = of.stored ? await store.getAuditSchedule(of.stored) : null;
  if (schedule?.leaseHolder && schedule.leaseUntil && schedule.leaseUntil.getTime() > now) {
    return {
      ok: false,
      wait: `The audit of ${of.label} must wait: its scheduled audit is running now (${why}). Try again once it has finished, in ${duration(schedule.leaseUntil.getTime() - now)} at most.`,
    };
  }

  if (!(await store.claimEvent(`audit-by-hand:${of.key}`, cooldownMs / 1000))) {
    const [last] = await store.listActivity({
      tenant: of.label,
      actions: [AUDIT_START_ACTION],
      since: new Date(now - cooldownMs),
      limit: 1,
    });
    const when = last
      ? `in ${duration(last.at.getTime() + cooldownMs - now)}: the last one started ${duration(now - last.at.getTime())} ago`
      : `within ${duration(cooldownMs)}: another one started just now`;
    return { ok: false, wait: `The audit of ${of.label} must wait: try again ${when} (${why}).` };
  }
  await recordActivity(deps, who, {
    action: AUDIT_START_ACTION,
    tenant: of.label,
    detail: `slack audit started; the next audit by hand from ${new Date(now + cooldownMs).toISOString()}`,
  });
  return { ok: true };
}

/** "45 s", "7 min": rounded up, so a wait told is never too short. */
function duration(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}
