import type { CauseDeclaration } from '../rules';
import type { UnknownWording } from '../store';
import { MASKS } from './template';

/**
 * A rule file and its test file drafted from an unknown wording: the condition matches the wording with its masked
 * parts as wildcards, the texts say what to write, and the test replays the wording with sample values, so
 * `front-why rules lint` and `rules test` pass before the author changes a word.
 */

/** The cause a status usually means, as a starting point the author confirms or changes (`--cause`). */
const CAUSE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_body',
  401: 'token_invalid',
  403: 'token_missing_permission',
  404: 'resource_not_found',
  422: 'invalid_request_body',
  429: 'rate_limited',
};

export function suggestedCause(status: number | null): string | undefined {
  if (status === null) return undefined;
  if (status >= 500) return 'front_unavailable';
  return CAUSE_BY_STATUS[status];
}

/** Each mask, what the condition accepts in its place, and the sample the test puts there. */
const WILDCARDS: [string, string, string][] = [
  [MASKS.number, String.raw`\d+(?:[.,]\d+)*`, '42'],
  [MASKS.id, String.raw`\S+`, 'cnv_0000'],
  [MASKS.email, String.raw`\S+`, 'teammate@example.com'],
  [MASKS.value, String.raw`[^\s&]+`, 'value'],
  ['[redacted token]', String.raw`\S+`, 'TOKEN'],
  ['[redacted]', String.raw`\S+`, 'SECRET'],
];

/** The draft's `customer_can_fix` and `watch`: the existing cause's, or a choice left to the author. */
function declarationLines(declared: CauseDeclaration | undefined): string[] {
  if (!declared)
    return [
      '# TODO: true if the customer can fix it on their side (the answer then offers "Watch until fixed"; say in',
      '# watch.fixed what the thread is told once it is fixed), false if not.',
      'customer_can_fix: false',
    ];
  const { fixed, fixedForOwner, transient } = declared.watch;
  const watch = [
    ...(fixed === undefined ? [] : [`  fixed: ${yamlQuoted(fixed)}`]),
    ...(fixedForOwner === undefined ? [] : [`  fixed_for_owner: ${yamlQuoted(fixedForOwner)}`]),
    ...(transient ? ['  transient: true'] : []),
  ];
  return [
    `customer_can_fix: ${declared.customerCanFix}`,
    ...(watch.length > 0 ? ['watch:', ...watch] : []),
    ...(declared.traits.length > 0 ? [`traits: [${declared.traits.join(', ')}]`] : []),
  ];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const yamlQuoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The template cut into literal text and masks, in order. */
function pieces(template: string): { literal: string; mask?: [string, string, string] }[] {
  const body = template.endsWith('…') ? template.slice(0, -1) : template;
  const out: { literal: string; mask?: [string, string, string] }[] = [];
  let rest = body;
  for (;;) {
    let best: { at: number; mask: [string, string, string] } | undefined;
    for (const mask of WILDCARDS) {
      const at = rest.indexOf(mask[0]);
      if (at !== -1 && (!best || at < best.at)) best = { at, mask };
    }
    if (!best) {
      out.push({ literal: rest });
      return out;
    }
    out.push({ literal: rest.slice(0, best.at), mask: best.mask });
    rest = rest.slice(best.at + best.mask[0].length);
  }
}

export function wordingPattern(template: string): string {
  const parts = pieces(template).map(
    (p) => escapeRegex(p.literal).replace(/ /g, String.raw`\s+`) + (p.mask?.[1] ?? ''),
  );
  return `(?i)${parts.join('')}`;
}

export function wordingSample(template: string): string {
  return pieces(template)
    .map((p) => p.literal + (p.mask?.[2] ?? ''))
    .join('');
}

export interface Draft {
  ruleId: string;
  ruleText: string;
  testText: string;
}

/**
 * `declared`: what the rule set's file for `cause` declares, copied so the draft offers a watch as that file does;
 * for a new cause the author decides (the draft says so).
 */
export function draftRule(wording: UnknownWording, cause: string, declared?: CauseDeclaration): Draft {
  const ruleId = cause.replaceAll('_', '-');
  const pattern = wordingPattern(wording.template);
  const conditions = [
    `    - { fact: error.message, matches: ${yamlQuoted(pattern)} }`,
    ...(wording.status !== null ? [`    - { fact: error.status, equals: ${wording.status} }`] : []),
  ];
  const seen =
    `seen ${wording.count} time(s), first ${wording.firstSeen.toISOString().slice(0, 10)}, ` +
    `last ${wording.lastSeen.toISOString().slice(0, 10)}`;
  const ruleText = [
    `# Drafted by \`front-why rules draft ${wording.id}\` from a Front error no rule explained (${seen}):`,
    `#   ${wording.status ?? 'no status'} ${wording.template}`,
    '# Check the cause (the id names it), write the headline, what_happened, why and steps, add links, then run',
    '# `front-why rules lint` and `front-why rules test`. If this folder already has a rule for this cause, add the',
    '# condition below to that rule instead (as one more `any` branch, or a variant).',
    `id: ${ruleId}`,
    'priority: 50',
    'confidence: low',
    ...declarationLines(declared),
    '',
    'when:',
    '  all:',
    ...conditions,
    '',
    "headline: 'TODO: who or what, and the fix, in one line (Front said: {{error.message}})'",
    "what_happened: 'TODO: what happened, in plain words addressed to whoever asked (you, your integration, your token).'",
    'why: >',
    '  TODO: why Front answers this, what it means for the customer, and what rules it out.',
    'steps:',
    '  agent:',
    "    - 'TODO: what the support agent asks or checks first.'",
    '  admin:',
    "    - 'TODO: what the customer''s Front admin changes, if anything.'",
    'links: []',
    '',
  ].join('\n');
  const envelope = {
    _error: {
      ...(wording.status !== null ? { status: wording.status } : {}),
      message: wordingSample(wording.template),
    },
  };
  const testText = [
    `# The wording of ${wording.id} with sample values in its masked parts. Add a real paste of it (IDs, emails and`,
    '# tokens replaced by placeholders) and a neighbouring wording that must not match (`expect: none`).',
    `- paste: ${yamlQuoted(JSON.stringify(envelope))}`,
    "  headline_contains: 'TODO'",
    '',
  ].join('\n');
  return { ruleId, ruleText, testText };
}
