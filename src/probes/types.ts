import type { FactPath, ProbeId } from '../facts';
import type { FrontPath, FrontResult, ResourceRef, TokenInfo } from '../front';

export type ProbeFactValue = string | number | boolean | string[];

/**
 * What a probe learned. With `ok: false` it could not check, and every fact of it that is not listed stays
 * unknown; with `ok: true` an unlisted fact is absent, except those named in `unknown`.
 */
export interface ProbeOutput {
  ok: boolean;
  facts: Partial<Record<FactPath, ProbeFactValue>>;
  unknown?: FactPath[];
}

export interface ProbeContext {
  /** Claims of the token, decoded without verifying; never the token itself. */
  token: TokenInfo;
  /** The conversation under diagnosis, already validated as a Front ID. */
  target?: string;
  /** The private resource under diagnosis when it is not a conversation, its ID already validated. */
  resource?: ResourceRef;
  /**
   * One GET against Front, recorded as evidence. `fresh` bypasses the per-tenant cache (still single-flight):
   * reproducing the error must see Front as it is now.
   */
  call(path: FrontPath, label: string, opts?: { fresh?: boolean }): Promise<FrontResult>;
  /** A fact of a probe listed in `needs` (already run). */
  fact(path: FactPath): ProbeFactValue | undefined;
  /** Calls this diagnosis may still spend. */
  callsLeft(): number;
  /** Requests this diagnosis has sent to Front so far, every probe's (answers shared from the cache not counted). */
  callsSent(): number;
  /** The tenant's teammate map when it is fresh enough to be trusted; undefined: none, or too old (sweep). */
  recallTeammates(): Promise<RecalledTeammates | undefined>;
  /** Hands what a check of teammates found to the tenant's map (`complete`: every teammate was checked now). */
  learnTeammates(found: TeammateFinding[], complete: boolean): void;
}

/** One teammate whose private listing answered: their API preference is on (allowed) or off (denied). */
export interface TeammateFinding {
  id: string;
  label: string;
  access: 'allowed' | 'denied';
}

/** What the tenant's teammate map says, as of the last time every teammate was checked in one go. */
export interface RecalledTeammates {
  teammates: TeammateFinding[];
  /** How many teammates the company had then. */
  total: number;
  /** How old the knowledge is, for the answer: "the audit 3 h ago". */
  asOf: string;
}

/**
 * Where a tenant's teammate map lives (the store, for a stored tenant): a diagnosis reads it before sweeping, and
 * every check of teammates writes to it.
 */
export interface TeammateMemory {
  recall(): Promise<RecalledTeammates | undefined>;
  learnt(found: TeammateFinding[], complete: boolean): void;
}

export interface Probe {
  id: ProbeId;
  /** Probes whose facts this one reads; they run first. */
  needs: ProbeId[];
  /** Requests it usually sends; costly probes run only once the cheap ones cannot decide. */
  cost: number;
  /**
   * When the rules may ask for it (default 1): the claims first (0, no request), then the reads of what was refused,
   * then (2) the checks their answers often make moot. A later probe runs earlier only when some rule needs it whatever
   * the earlier ones say.
   */
  stage?: 0 | 1 | 2;
  run(ctx: ProbeContext): Promise<ProbeOutput>;
  /** The cheap first step of a costly probe, which may be started before the probe itself is asked for. */
  prepare?(ctx: ProbeContext): Promise<void>;
  /** Probes its answer makes worth starting at once, before any rule asks (the reply will need them). */
  followUps?(output: ProbeOutput): ProbeId[];
}

/** One thing that was looked at: a part of the paste, or a live check against Front. */
export interface Evidence {
  source: 'paste' | 'probe';
  /** What was checked, e.g. "GET /conversations/cnv_1" or "error.status". */
  check: string;
  /** What it said, e.g. "403 This agent is not allowed to read …", or "could not check: timed out". */
  result: string;
  /** true: as expected / fine; false: the problem shows here; null: could not check. */
  ok: boolean | null;
  /** Time the check took, for probes. */
  ms?: number;
}
