import type { AuditReport } from '../../diagnosis/audit';
import { recordAudit, type AuditChange } from '../../diagnosis/audit-change';
import type { Logger } from '../../log';
import type { AuditCadence, AuditSchedule, ChannelBinding, Store } from '../../store';
import { errorFields } from '../send/failure';

const DAY_MS = 86_400_000;

/** How long after a run (or after being scheduled) the next one is due. */
export const CADENCE_MS: Record<Exclude<AuditCadence, 'off'>, number> = { daily: DAY_MS, weekly: 7 * DAY_MS };

/** Longer than an audit may take (10 minutes at the customer's rate limit), so a live run never loses its lease. */
const DEFAULT_LEASE_MS = 15 * 60_000;
const DEFAULT_POLL_MS = 60_000;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AuditSchedulerOptions {
  store: Store;
  clock: () => number;
  /** This replica's name in the lease; unique per process. */
  holder: string;
  /**
   * Runs the audit of the tenant named `tenant` whose id is `tenantId`, within its rate budget; undefined when that
   * tenant has no token any more (removed, perhaps with the name added back as another tenant).
   */
  audit: (tenant: string, tenantId: string) => Promise<AuditReport | undefined>;
  /** Tells one bound channel what changed. */
  post: (binding: ChannelBinding, change: AuditChange) => Promise<void>;
  /** After a tenant's stored result changed (App Home views show it). */
  onResult?: (tenant: string) => void;
  logger: Logger;
  leaseMs?: number;
  pollMs?: number;
  timers?: Timers;
}

/**
 * Runs due audits, one replica at a time per tenant (a lease in the store), and posts to the tenant's bound
 * channels only when something changed since the stored last result.
 */
export class AuditScheduler {
  private timer: unknown;
  private running: Promise<number> | undefined;
  /** The timer is off until `start`. */
  private polling = false;
  /** After `stop`, no audit starts, whoever asks. */
  private halted = false;
  private readonly timers: Timers;

  constructor(private readonly options: AuditSchedulerOptions) {
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
  }

  start(): void {
    if (this.polling || this.halted) return;
    this.polling = true;
    this.schedule(0);
  }

  /** No new pass starts; the one running (if any) finishes. */
  async stop(): Promise<void> {
    this.polling = false;
    this.halted = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Runs every audit due now, one after another; resolves with how many ran. One pass at a time. */
  runDue(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(ms: number): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.runDue()
        .catch((err: unknown) =>
          this.options.logger.error({ err: errorFields(err) }, 'scheduled audits: a pass failed'),
        )
        .finally(() => {
          if (this.polling) this.schedule(this.options.pollMs ?? DEFAULT_POLL_MS);
        });
    }, ms);
  }

  private async pass(): Promise<number> {
    const { store, holder } = this.options;
    let ran = 0;
    for (;;) {
      if (this.halted) break;
      const claim = await store.claimDueAudit(holder, this.options.leaseMs ?? DEFAULT_LEASE_MS);
      if (!claim) break;
      ran += 1;
      try {
        await this.runOne(claim);
      } catch (err) {
        this.options.logger.error({ err: errorFields(err), tenant: claim.tenant }, 'scheduled audit failed');
      } finally {
        // Even a failed run waits for its next turn, so a broken tenant is not retried every minute.
        const next = new Date(this.options.clock() + CADENCE_MS[claim.cadence as 'daily' | 'weekly']);
        await store.finishAudit(claim, next);
      }
    }
    return ran;
  }

  /**
   * The id of the tenant the claimed schedule belongs to. A schedule goes with its tenant (ON DELETE CASCADE), so
   * one still leased to this holder after the tenant was read belongs to that tenant, not to a name added back.
   */
  private async ownerOf(claim: AuditSchedule): Promise<string | undefined> {
    const { store } = this.options;
    const tenant = await store.getTenant(claim.tenant);
    const schedule = await store.getAuditSchedule(claim.tenant);
    return tenant && schedule?.leaseHolder === claim.leaseHolder ? tenant.id : undefined;
  }

  private async stillOwner(name: string, id: string): Promise<boolean> {
    return (await this.options.store.getTenant(name))?.id === id;
  }

  private async runOne(claim: AuditSchedule): Promise<void> {
    const { store, logger } = this.options;
    const tenant = claim.tenant;
    const owner = await this.ownerOf(claim);
    if (!owner) return;
    const report = await this.options.audit(tenant, owner);
    // Removed while the audit ran, the name perhaps added back for another company: what it found is no one's now.
    if (!report || !(await this.stillOwner(tenant, owner))) return;
    const outcome = await recordAudit(store, tenant, report, new Date(this.options.clock()));
    const actor = `scheduler:${this.options.holder}`;
    const log = (detail: string, extra: { channelId?: string; action?: string } = {}) =>
      store
        .recordActivity({
          at: new Date(this.options.clock()),
          actor,
          tenant,
          action: extra.action ?? 'audit.scheduled',
          ...(extra.channelId ? { channelId: extra.channelId } : {}),
          detail,
        })
        .catch((err: unknown) => logger.error({ err: errorFields(err), tenant }, 'activity log write failed'));

    if (outcome.kind === 'unknown') {
      await log(`${claim.cadence} audit could not tell (${outcome.reason}); the last result stands`);
      return;
    }
    this.options.onResult?.(tenant);
    if (outcome.kind === 'same') {
      await log(
        `${claim.cadence} audit: nothing changed, ${outcome.result.preferenceOff.length} with the preference off`,
      );
      return;
    }
    await log(`${claim.cadence} audit: ${describeChange(outcome)}`);
    if (!(await this.stillOwner(tenant, owner))) return;
    for (const binding of await store.listChannelBindings({ tenant })) {
      try {
        await this.options.post(binding, outcome);
        await log(describeChange(outcome), { action: 'audit.notice', channelId: binding.channelId });
      } catch (err) {
        logger.warn(
          { err: errorFields(err), tenant, channel: binding.channelId },
          'scheduled audit: could not post to a bound channel',
        );
      }
    }
  }
}

export function describeChange(change: AuditChange): string {
  if (change.kind === 'baseline')
    return `baseline recorded, ${change.result.preferenceOff.length} with the preference off`;
  const parts: string[] = [];
  if (change.token) parts.push(change.token === 'stopped' ? 'token stopped working' : 'token works again');
  if (change.newlyOff.length > 0) parts.push(`${change.newlyOff.length} newly with the preference off`);
  if (change.turnedOn.length > 0) parts.push(`${change.turnedOn.length} turned it on`);
  return parts.join(', ');
}
