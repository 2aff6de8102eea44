import type { CauseDeclaration, Rule } from './schema';

/**
 * What the engine may do with a cause beyond its text, by name: ranking by evidence (src/diagnosis/ranking.ts)
 * and naming whose private resources were refused (src/diagnosis/owner.ts).
 */
export const TRAITS = ['oauth-token', 'teammate-preference', 'private-scope'] as const;
export type Trait = (typeof TRAITS)[number];

/** The owner's name in `watch.fixed_for_owner`. */
export const OWNER_FIELD = '{{owner}}';

/**
 * The causes a loaded rule set declares, and what each file says about its cause. The vocabulary is the rules':
 * a rule file added to a rules folder adds its cause, with no change to the program.
 */
export function causesOf(rules: readonly Rule[]): string[] {
  return [...new Set(rules.map((rule) => rule.cause))].sort();
}

const declarations = new WeakMap<readonly Rule[], Map<string, CauseDeclaration>>();

/**
 * What the rule file of `cause` declares, or undefined when no loaded rule names it (any more). Asked for every
 * diagnosis, so each rule set is indexed once: a set is replaced on reload, never changed.
 */
export function declarationOf(rules: readonly Rule[], cause: string): CauseDeclaration | undefined {
  let byCause = declarations.get(rules);
  if (byCause === undefined) {
    byCause = new Map();
    // The first rule naming a cause speaks for it, as a search in order would find it.
    for (const rule of rules) if (!byCause.has(rule.cause)) byCause.set(rule.cause, rule.declared);
    declarations.set(rules, byCause);
  }
  return byCause.get(cause);
}

export function hasTrait(rules: readonly Rule[], cause: string, trait: Trait): boolean {
  return declarationOf(rules, cause)?.traits.includes(trait) ?? false;
}

/**
 * How big a rule set is, counted one way everywhere it is said (lint, test, reload, /readyz, the logs): rule
 * files, each one cause; a file with variants still counts once.
 */
export function ruleFileCount(rules: readonly Rule[]): number {
  return new Set(rules.map((rule) => rule.id)).size;
}

/** "23 rule files": the count with its unit, as every output says it. */
export function ruleFilesText(rules: readonly Rule[] | number): string {
  const n = typeof rules === 'number' ? rules : ruleFileCount(rules);
  return `${n} rule ${n === 1 ? 'file' : 'files'}`;
}
