import { parsePaste, wordingsOfRules } from './wordings';
import { factSource, type FactPath } from '../facts';
import type { WordingSet } from '../input';
import {
  runRuleExamples,
  UNKNOWN,
  type ExampleFailure,
  type FactSource,
  type FactValue,
  type Rule,
  type RuleTest,
} from '../rules';
import { pasteFacts } from './paste-facts';

/**
 * The facts of one rule example: its paste parsed exactly as a live paste would be (first error only), plus the
 * facts it states. Probe facts it does not state stay unknown, as they are offline; `null` states "absent".
 */
export function exampleFactSource(
  paste: string,
  stated: Record<string, FactValue | null>,
  wordings?: WordingSet,
): FactSource {
  const parsed = parsePaste(paste, wordings ? { wordings } : {});
  const fromPaste = parsed.ok ? pasteFacts(parsed.errors[0], parsed.ids, parsed) : pasteFacts(undefined, []);
  return {
    get(path: FactPath) {
      if (Object.prototype.hasOwnProperty.call(stated, path)) return stated[path] ?? undefined;
      return factSource(path) === 'paste' ? fromPaste[path] : UNKNOWN;
    },
    canResolve: () => false,
    resolve: async () => undefined,
  };
}

export function checkRuleExamples(rules: Rule[], tests: RuleTest[]): Promise<ExampleFailure[]> {
  // The rule set's own wordings read the pastes: a wording added with its test is tested with it.
  const wordings = wordingsOfRules(rules);
  return runRuleExamples(rules, tests, (paste, stated) => exampleFactSource(paste, stated, wordings));
}
