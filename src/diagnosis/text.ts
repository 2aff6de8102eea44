import type { Audience, Diagnosis, Evidence } from './types';

export const AUDIENCE_TITLES: Record<Audience, string> = {
  agent: 'Support agent',
  teammate: "Customer's teammate",
  admin: "Customer's admin",
};

/** A diagnosis as a person reads it in a terminal. */
export function diagnosisToText(d: Diagnosis, index: number): string {
  const lines: string[] = [];
  const label = d.status === 'confirmed' ? 'Cause' : 'Possible cause';
  lines.push(`${index + 1}. ${label}: ${d.headline}`);
  lines.push(`   [${d.cause} · rule ${d.rule} · confidence ${d.confidence}${d.target ? ` · ${d.target}` : ''}]`);
  // What to do comes first; the reasoning and the evidence follow for whoever reads on.
  for (const audience of Object.keys(AUDIENCE_TITLES) as Audience[]) {
    const steps = d.steps[audience];
    if (steps.length === 0) continue;
    lines.push('', `   ${AUDIENCE_TITLES[audience]}:`);
    steps.forEach((step, i) => lines.push(indent(`${i + 1}. ${step}`, '     ')));
  }
  if (d.decidedBy.length > 0) {
    lines.push('', '   What would decide it:');
    d.decidedBy.forEach((check) => lines.push(`     - ${check}`));
  }
  if (d.why !== '') lines.push('', '   Why:', indent(d.why, '     '));
  if (d.evidence.length > 0) {
    lines.push('', '   What was checked:');
    d.evidence.forEach((e) =>
      lines.push(`     ${evidenceMark(e)} ${e.check}: ${e.result}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}`),
    );
  }
  if (d.links.length > 0) {
    lines.push('', '   Links:');
    d.links.forEach((link) => lines.push(`     - ${link.title}: ${link.url}`));
  }
  return lines.join('\n');
}

export function diagnosesToText(diagnoses: Diagnosis[]): string {
  return diagnoses.map(diagnosisToText).join('\n\n');
}

function evidenceMark(e: Evidence): string {
  if (e.ok === null) return '?';
  return e.ok ? '✓' : '✗';
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line ? prefix + line : line))
    .join('\n');
}
