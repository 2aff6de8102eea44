import type { ProbeId } from '../facts';
import type { Evidence } from '../probes/types';

export type Audience = 'agent' | 'teammate' | 'admin';

export type { Evidence } from '../probes/types';

/** A finding: data that each output (CLI text, JSON, Slack blocks) renders in its own way. */
export interface Diagnosis {
  /** The cause's name, from the id of the rule file that declares it (`token-invalid`: `token_invalid`). */
  cause: string;
  rule: string;
  /** Which way the cause showed, for a rule with variants (`live`, `pasted`, …). */
  variant?: string;
  /** confirmed: every condition known to hold; possible: some condition could not be checked. */
  status: 'confirmed' | 'possible';
  confidence: 'high' | 'medium' | 'low';
  /** What the agent reads first: who or what, and the fix, in one line. */
  headline: string;
  /** What happened, in plain words for the customer (the rule's `what_happened`), when the rule has it. */
  whatHappened?: string;
  /** Why, for whoever asks: the reasoning behind the headline. */
  why: string;
  steps: Record<Audience, string[]>;
  links: { title: string; url: string }[];
  evidence: Evidence[];
  /** For a possible diagnosis: the checks that would decide it. */
  decidedBy: string[];
  /** The conversation (or other Front ID) the diagnosis is about, when known. */
  target?: string;
  /** Whose private resource it is, when the checks could tell, and how they told. */
  owner?: OwnerFinding;
  /** One line on what put this cause above the others (the evidence that tipped it), when evidence did. */
  rankedBy?: string;
  /**
   * The live check whose answer contradicts what the paste claims (`me`: GET /me with the stored token works
   * while the paste says 401), when this diagnosis is that contradiction. Only on a confirmed diagnosis: the
   * check answered.
   */
  overruledBy?: ProbeId;
}

export interface OwnerFinding {
  /**
   * inbox-owner: the private inbox's owner link named them; requested: the refused request was for that teammate's
   * own resources (/teammates/{id}/…); elimination: the sweep was complete and exactly one
   * teammate has the preference off; candidates: several teammates have it off, one of them is the owner;
   * unfinished: the company has more teammates than this diagnosis could check (`checked` of `total`), so the owner
   * may be among the rest (`candidates`: those found with it off so far).
   */
  how: 'inbox-owner' | 'requested' | 'elimination' | 'candidates' | 'unfinished';
  /** The owner ("Name <email>"), for inbox-owner, requested and elimination. */
  name?: string;
  /** The teammates with the preference off, for candidates. */
  candidates?: string[];
  /** How many teammates the sweep checked, of how many; present when the sweep ran. */
  checked?: number;
  total?: number;
  /**
   * Set when the owner comes from the tenant's teammate map rather than a sweep now: how old it is ("the audit 3 h
   * ago"). The named teammates (`checked` of them) were confirmed by a live check just now; everyone else is as of then.
   */
  asOf?: string;
  /** With asOf: the live checks that found the named teammates still with the preference off just now. */
  confirmedBy?: string[];
}

export interface DiagnosisReport {
  diagnoses: Diagnosis[];
}
