import type { BudgetSnapshot, FrontPath, FrontResult } from '../../front';
import type { FrontGateway, GatewayResult } from '../../probes';
import { ASSUMED_LIMIT_PER_MINUTE } from '../../watch';

/**
 * How much of a tenant's Front rate limit the checks people start (a command, a pasted error, a button, an audit run
 * by hand) may spend. Front's limit is per company and per minute, and it belongs to the customer's own
 * integrations first: without a share, anyone in the workspace could click "Check again" until front-why held the
 * company's whole minute, short only of the reserve. So, per tenant, these checks together send at most `percent`
 * of the per-minute limit in each of Front's minutes (divided among the live replicas, each counting its own), a
 * check that finds the share spent is not started and the person is told how long to wait, and an audit run by hand
 * paces itself to half the share, so the checks people run meanwhile are not all told to wait.
 *
 * A request is counted before it is sent (a check takes its first few units when it starts, so a burst of clicks
 * cannot all start on the same last units) and given back when the answer came from the tenant's cache or joined another
 * request, or never reached Front's limiter (`counted`); retries count as the requests they are. A check whose
 * later requests find the share spent is told to wait too (`cutShort`), rather than answered from half its checks.
 */
const MINUTE_MS = 60_000;
/** Not worth waiting for the next minute when less than this would be left of the check's deadline. */
const MIN_ATTEMPT_MS = 100;
/** How soon to look again while a request in flight may tell the tenant's plan. */
const LEARN_POLL_MS = 25;
/**
 * Units a check takes when it starts: what deciding a cause costs cold (4 for the seed case, as the bench counts
 * it). Taking one unit only let as many checks start as the share had units, each then waiting on the others for
 * its next request until nearly all were cut short: on three replicas of a Starter tenant a burst spent the share
 * and got "try again" from every check, or from all but one or two. A check that needs less gives the rest back
 * when it ends; with fewer units left in the minute, it takes those.
 */
const CHECK_RESERVE = 4;

type ShareKind = 'check' | 'audit';

/** Why a check must wait, in numbers; `waitText` says it. */
export interface ShareWait {
  /** The tenant as people name it ("acme", or "default" for FRONT_API_TOKEN). */
  tenant: string;
  retryAt: number;
  now: number;
  percent: number;
  /** Requests a minute these checks may send on this replica. */
  cap: number;
  /** Front's per-minute limit for the company (Starter's 50 until Front's headers said). */
  limit: number;
  replicas: number;
}

export interface ShareTicket {
  /** The tenant's gateway, its requests counted against the share (and held back once it is spent). */
  gateway(inner: FrontGateway): FrontGateway;
  /** The check ended: a unit taken and not used goes back. */
  finish(): void;
  /**
   * Why the check could not make all its requests, when the share ran out under it: its answer would be partial,
   * so the person is better told to wait, like someone whose check could not start.
   */
  cutShort(): ShareWait | undefined;
}

export type ShareStart = { ok: true; ticket: ShareTicket } | { ok: false; wait: ShareWait };

export interface CheckShareDeps {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** FRONT_WHY_CHECK_SHARE_PERCENT. */
  percent: number;
  /** Live replicas sharing the tenants' windows (1 on SQLite): each keeps 1/N of the share. */
  replicas: () => number;
}

interface Window {
  /** When the minute these counts belong to ends (Front's `x-ratelimit-reset` when known). */
  end: number;
  /** Requests sent in it. */
  spent: number;
  /** Units taken for requests not answered yet (and for checks started that have sent nothing yet). */
  held: number;
}

export class CheckShare {
  private readonly windows = new Map<string, Window>();
  /** Front's per-minute limit for each tenant, as its headers last said: a plan does not change with the minute. */
  private readonly limits = new Map<string, number>();

  constructor(private readonly deps: CheckShareDeps) {}

  /**
   * May a check of `key` (the tenant's budget key) start now? `budget` is the tenant's window as this process knows
   * it (for Front's limit and reset).
   */
  startCheck(key: string, tenant: string, budget: { snapshot(): BudgetSnapshot }): ShareStart {
    const window = this.current(key, budget.snapshot());
    const cap = this.cap(key, budget.snapshot(), 'check');
    const free = cap - window.spent - window.held;
    // The last units of the minute still go to a check (one that needs only them is answered), never more than that.
    const reserve = Math.min(CHECK_RESERVE, free);
    if (reserve < 1) {
      return { ok: false, wait: this.waitOf(key, tenant, window, budget.snapshot()) };
    }
    window.held += reserve;
    return { ok: true, ticket: this.ticket(key, tenant, budget, 'check', reserve) };
  }

  /** An audit by hand is never refused: its requests wait for the share instead, so the sweep paces itself. */
  startAudit(key: string, tenant: string, budget: { snapshot(): BudgetSnapshot }): ShareTicket {
    return this.ticket(key, tenant, budget, 'audit', 0);
  }

  /** `prepaid`: units already taken for this check (held in its window). */
  private ticket(
    key: string,
    tenant: string,
    budget: { snapshot(): BudgetSnapshot },
    kind: ShareKind,
    prepaid: number,
  ): ShareTicket {
    let refused = 0;
    const take = (): boolean => {
      const w = this.current(key, budget.snapshot());
      if (prepaid > 0) {
        prepaid -= 1;
        return true;
      }
      if (w.spent + w.held >= this.cap(key, budget.snapshot(), kind)) return false;
      w.held += 1;
      return true;
    };
    const settle = (sent: number): void => {
      const w = this.current(key, budget.snapshot());
      w.held = Math.max(0, w.held - 1);
      w.spent += sent;
    };
    return {
      gateway: (inner) => ({
        get: async (path, opts) => {
          while (!take()) {
            const now = this.deps.now();
            const window = this.current(key, budget.snapshot());
            // With Starter's limit only assumed, a request in flight is about to tell the tenant's plan: a company
            // with a larger one should not be told to wait for want of it.
            const learning = !this.limits.has(key) && window.held > 0;
            const resumeAt = learning ? now + LEARN_POLL_MS : window.end;
            if (resumeAt + MIN_ATTEMPT_MS > opts.deadline) {
              refused += 1;
              return heldBack(path);
            }
            await this.deps.sleep(resumeAt - now);
          }
          let answer: GatewayResult | undefined;
          try {
            answer = await inner.get(path, opts);
            return answer;
          } finally {
            settle(answer && !answer.shared ? counted(answer.result) : 0);
          }
        },
      }),
      finish: () => {
        if (prepaid === 0) return;
        const w = this.current(key, budget.snapshot());
        w.held = Math.max(0, w.held - prepaid);
        prepaid = 0;
      },
      cutShort: () =>
        refused > 0 ? this.waitOf(key, tenant, this.current(key, budget.snapshot()), budget.snapshot()) : undefined,
    };
  }

  /** This replica's requests a minute for the tenant's checks; an audit by hand gets half of them. */
  private cap(key: string, budget: BudgetSnapshot, kind: ShareKind): number {
    const perReplica = Math.max(
      1,
      Math.floor(((this.deps.percent / 100) * this.limitOf(key, budget)) / this.replicas()),
    );
    return kind === 'audit' ? Math.max(1, Math.floor(perReplica / 2)) : perReplica;
  }

  /** Starter's limit until Front's headers told the tenant's plan. */
  private limitOf(key: string, budget: BudgetSnapshot): number {
    if (budget.limit !== undefined) this.limits.set(key, budget.limit);
    return this.limits.get(key) ?? ASSUMED_LIMIT_PER_MINUTE;
  }

  private replicas(): number {
    return Math.max(1, Math.floor(this.deps.replicas()));
  }

  private current(key: string, budget: BudgetSnapshot): Window {
    const now = this.deps.now();
    const frontEnd = budget.resetsAt !== undefined && budget.resetsAt > now ? budget.resetsAt : undefined;
    let window = this.windows.get(key);
    if (!window || now >= window.end) {
      // Requests still in flight keep their units: they are answered in the new minute.
      window = { end: frontEnd ?? (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS, spent: 0, held: window?.held ?? 0 };
      this.windows.set(key, window);
    } else if (frontEnd !== undefined && frontEnd > window.end) {
      // Front's minute ends later than the one assumed: what was spent counts until Front's reset.
      window.end = frontEnd;
    }
    return window;
  }

  private waitOf(key: string, tenant: string, window: Window, budget: BudgetSnapshot): ShareWait {
    return {
      tenant,
      retryAt: window.end,
      now: this.deps.now(),
      percent: this.deps.percent,
      cap: this.cap(key, budget, 'check'),
      limit: this.limitOf(key, budget),
      replicas: this.replicas(),
    };
  }
}

/**
 * The requests Front's limiter counted: those of an answer carrying its rate-limit headers (retries included). An
 * error page from Front's edge, a reset connection or no answer at all says nothing was counted; during an outage
 * the agent's checks are not held back for requests that never reached Front.
 */
function counted(result: FrontResult): number {
  const seen = result.rateLimit;
  return seen && (seen.remaining !== undefined || seen.limit !== undefined) ? result.attempts : 0;
}

function heldBack(path: FrontPath): GatewayResult {
  return {
    result: {
      kind: 'unreachable',
      reason: 'budget',
      exhausted: false,
      message: `GET ${path} not sent: front-why's checks of this company have used their share of its Front rate limit for this minute; the rest is left to the customer's own integrations`,
      ms: 0,
      attempts: 0,
    },
    shared: false,
  };
}

const secondsFrom = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));

/** What the agent reads when a check must wait (plain text; the caller escapes it). */
export function waitText(wait: ShareWait): string {
  const seconds = secondsFrom(wait.retryAt, wait.now);
  const share =
    wait.replicas > 1
      ? `${wait.cap} of the ${wait.limit} requests a minute Front allows ${wait.tenant} on this replica (${wait.percent}%, shared by ${wait.replicas} replicas)`
      : `${wait.cap} of the ${wait.limit} requests a minute Front allows ${wait.tenant} (${wait.percent}%)`;
  return `Not checked: try again in ${seconds} s. front-why's checks may send ${share} and have sent them this minute; the rest is left to ${wait.tenant}'s own integrations.`;
}
