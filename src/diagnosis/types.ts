import type { Cause } from '../causes';

export type Audience = 'agent' | 'teammate' | 'admin';

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

/** A finding: data that each output (CLI text, JSON, Slack blocks) renders in its own way. */
export interface Diagnosis {
  cause: Cause;
  rule: string;
  /** confirmed: every condition known to hold; possible: some condition could not be checked. */
  status: 'confirmed' | 'possible';
  confidence: 'high' | 'medium' | 'low';
  summary: string;
  explanation: string;
  steps: Record<Audience, string[]>;
  links: { title: string; url: string }[];
  evidence: Evidence[];
  /** For a possible diagnosis: the checks that would decide it. */
  decidedBy: string[];
  /** The conversation (or other Front ID) the diagnosis is about, when known. */
  target?: string;
}

export interface DiagnosisReport {
  diagnoses: Diagnosis[];
}
