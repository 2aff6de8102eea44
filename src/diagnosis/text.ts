import type { Audience, Diagnosis, Evidence, OwnerFinding } from './types';

export const AUDIENCE_TITLES: Record<Audience, string> = {
  agent: 'Support agent',
  teammate: "Customer's teammate",
  admin: "Customer's admin",
};

export const AUDIENCES = Object.keys(AUDIENCE_TITLES) as Audience[];

export interface TextOptions {
  /** Everything: why, what would decide it, the live checks that decided, links, and every cause in full. */
  verbose?: boolean;
  /** The stored tenant checked, for the command that checks the rest of its teammates; NAME when there is none. */
  tenant?: string;
}

/**
 * Diagnoses as a person reads them in a terminal. By default the first screen only: the likeliest cause with
 * who it concerns and the steps, the other causes in one line each. `verbose` adds the reasoning and evidence.
 */
export function diagnosesToText(diagnoses: Diagnosis[], options: TextOptions = {}): string {
  if (options.verbose) return diagnoses.map((d, i) => diagnosisToText(d, i, options)).join('\n\n');
  const [first, ...others] = diagnoses;
  if (!first) return '';
  const parts = [diagnosisToText(first, 0, options)];
  if (others.length > 0) {
    parts.push(
      ['Also found:', ...others.map((d, i) => `   ${i + 2}. ${causeLabel(d)}: ${d.headline} [${d.cause}]`)].join('\n'),
    );
  }
  parts.push('(--verbose adds why, the checks that decided and links)');
  return parts.join('\n\n');
}

/** One diagnosis: the first screen, or with `verbose` everything about it. */
export function diagnosisToText(d: Diagnosis, index: number, options: TextOptions = {}): string {
  const lines: string[] = [`${index + 1}. ${causeLabel(d)}: ${d.headline}`];
  const owner = options.verbose ? ownerLine(d.owner) : ownerLineBesideHeadline(d);
  if (owner) lines.push(`   ${owner}`);
  const left = teammatesLeft(d.owner);
  if (left > 0)
    lines.push(
      `   The other ${left} teammates were not checked, to spare the company's rate limit: \`front-why audit --tenant ${options.tenant ?? 'NAME'}\` checks every teammate, and the next diagnosis names the owner from what it found.`,
    );
  if (d.rankedBy) lines.push(`   ${rankedByLine(d.rankedBy)}`);
  const meta = options.verbose
    ? `${d.cause} · rule ${d.rule} · confidence ${d.confidence}${d.target ? ` · ${d.target}` : ''}`
    : `${d.cause} · confidence ${d.confidence}`;
  lines.push(`   [${meta}]`);
  for (const audience of AUDIENCES) {
    const steps = d.steps[audience];
    if (steps.length === 0) continue;
    lines.push('', `   ${AUDIENCE_TITLES[audience]}:`);
    steps.forEach((step, i) => lines.push(indent(`${i + 1}. ${step}`, '     ')));
  }
  if (!options.verbose) return lines.join('\n');
  if (d.decidedBy.length > 0) {
    lines.push('', '   What would decide it:');
    d.decidedBy.forEach((check) => lines.push(`     - ${check}`));
  }
  if (d.why !== '') lines.push('', '   Why:', indent(d.why, '     '));
  const checks = decidingChecks(d.evidence);
  if (checks.length > 0) {
    lines.push('', '   What decided it (live checks):');
    checks.forEach((e) => lines.push(`     ${evidenceLine(e)}`));
  }
  if (d.links.length > 0) {
    lines.push('', '   Links:');
    d.links.forEach((link) => lines.push(`     - ${link.title}: ${link.url}`));
  }
  return lines.join('\n');
}

export function causeLabel(d: Diagnosis): string {
  return d.status === 'confirmed' ? 'Cause' : 'Possible cause';
}

/**
 * Who owns the private resource, and how the checks know: "Owner: Bruno Keller (the only teammate with the
 * preference off; 5 of 5 checked)". Undefined when the finding names nobody.
 */
export function ownerLine(owner: OwnerFinding | undefined): string | undefined {
  if (!owner) return undefined;
  const swept =
    owner.checked !== undefined && owner.total !== undefined ? `; ${owner.checked} of ${owner.total} checked` : '';
  const confirmed = owner.confirmedBy?.length ? ` (${owner.confirmedBy.join(', ')})` : '';
  switch (owner.how) {
    case 'inbox-owner':
      return owner.name ? `Owner: ${owner.name} (the owner of the private inbox)` : undefined;
    case 'requested':
      return owner.name ? `Owner: ${owner.name} (the teammate whose own resources were requested)` : undefined;
    case 'elimination':
      if (!owner.name) return undefined;
      return owner.asOf
        ? `Owner: ${owner.name} (the only teammate with the preference off as of ${owner.asOf}; still off in a live check just now${confirmed})`
        : `Owner: ${owner.name} (the only teammate with the preference off${swept})`;
    case 'candidates': {
      const names = owner.candidates ?? [];
      if (names.length === 0) return undefined;
      if (owner.asOf)
        return names.length === 1
          ? `Owner: ${names[0]} (the teammate with the preference off as of ${owner.asOf}; still off in a live check just now${confirmed})`
          : `Owner: one of ${names.join(', ')} (the teammates with the preference off as of ${owner.asOf}; each still off in a live check just now${confirmed})`;
      if (names.length === 1) return `Owner: ${names[0]} (the teammate with the preference off${swept})`;
      return `Owner: one of ${names.join(', ')} (the teammates with the preference off${swept})`;
    }
    case 'unfinished': {
      const names = owner.candidates ?? [];
      const found = names.length > 0 ? `; with it off so far: ${names.join(', ')}` : '';
      return `Owner: not named yet (checked ${owner.checked ?? 0} of ${owner.total ?? '?'} teammates${found})`;
    }
  }
}

/** Teammates an unfinished finding left unchecked (0 for any other finding). */
export function teammatesLeft(owner: OwnerFinding | undefined): number {
  return owner?.how === 'unfinished' && owner.total !== undefined ? Math.max(0, owner.total - (owner.checked ?? 0)) : 0;
}

/**
 * The owner line under a headline, unless the headline already names every one of them: the rule's headline says
 * who when the checks found out ("Bruno Keller has … turned off"), and the same names twice read as two findings.
 * How they were found stays in the details.
 */
export function ownerLineBesideHeadline(d: Pick<Diagnosis, 'owner' | 'headline'>): string | undefined {
  const names = d.owner?.name !== undefined ? [d.owner.name] : (d.owner?.candidates ?? []);
  if (names.length > 0 && names.every((name) => d.headline.includes(name))) return undefined;
  return ownerLine(d.owner);
}

export function rankedByLine(rankedBy: string): string {
  return `Ranked first: ${rankedBy}`;
}

/**
 * The live checks behind a diagnosis, each once. What was read in the paste is not repeated: the agent pasted it,
 * and marking it ✗ beside the checks made it look like something that had been checked and failed. A repeat of a
 * call that the tenant's cache answered adds nothing either.
 */
export function decidingChecks(evidence: readonly Evidence[]): Evidence[] {
  const seen = new Set<string>();
  const kept: Evidence[] = [];
  for (const e of evidence) {
    if (e.source !== 'probe') continue;
    const key = `${e.check}|${e.result.replace(/ \(recent answer\)$/, '')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(e);
  }
  return kept;
}

export function evidenceMark(e: Evidence): string {
  if (e.ok === null) return '?';
  return e.ok ? '✓' : '✗';
}

function evidenceLine(e: Evidence): string {
  return `${evidenceMark(e)} ${e.check}: ${e.result}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line ? prefix + line : line))
    .join('\n');
}
