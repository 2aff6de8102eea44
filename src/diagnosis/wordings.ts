import path from 'node:path';
import { parsePaste as parseWith, wordingSet, type ParseOptions, type ParseResult, type WordingSet } from '../input';
import type { Rule } from '../rules';
import { loadRulesOrThrow } from '../rules/rule-set';

const byRuleSet = new WeakMap<readonly Rule[], WordingSet>();

/**
 * The wordings a rule set states, searched as one set. A rule set is replaced, never changed, on reload, so
 * the set is built once per rule set.
 */
export function wordingsOfRules(rules: readonly Rule[]): WordingSet {
  let set = byRuleSet.get(rules);
  if (!set) {
    set = wordingSet(rules.flatMap((rule) => rule.wordings));
    byRuleSet.set(rules, set);
  }
  return set;
}

let builtIn: WordingSet | undefined;

/** The wordings of the rules shipped with the package: what a paste is read with when no rule set is given. */
export function builtInWordings(): WordingSet {
  builtIn ??= wordingsOfRules(loadRulesOrThrow(path.join(__dirname, '..', '..', 'rules')));
  return builtIn;
}

/**
 * Reads a paste with Front's wordings: those of `options.wordings` (the rule set in use, `wordingsOfRules`), or
 * the package's own rules'.
 */
export function parsePaste(text: string, options: ParseOptions = {}): ParseResult {
  return parseWith(text, { ...options, wordings: options.wordings ?? builtInWordings() });
}
