import { factSource, type FactPath } from '../../src/facts';
import { ruleSchema, UNKNOWN, type FactSource, type FactValue, type Rule } from '../../src/rules';
import { ConditionLibrary } from '../../src/rules/conditions';
import { resolveRule } from '../../src/rules/loader';

export interface CountingSource extends FactSource {
  /** Each `resolve` call's argument, in order. */
  calls: FactPath[][];
  known: Record<string, FactValue>;
}

/**
 * A FactSource over plain objects. `known` holds facts as already established (paste facts given
 * directly); a paste fact not in it is absent, a probe fact unknown. `probes` holds what each probe would
 * answer when asked; `UNKNOWN` there stands for a probe that fails.
 */
export function objectSource(
  known: Record<string, FactValue>,
  probes: Record<string, FactValue | typeof UNKNOWN> = {},
): CountingSource {
  const facts: Record<string, FactValue> = { ...known };
  const asked = new Set<string>();
  const has = (path: string) => Object.prototype.hasOwnProperty.call(facts, path);
  return {
    calls: [],
    known: facts,
    get(path) {
      if (has(path)) return facts[path];
      return factSource(path) === 'paste' ? undefined : UNKNOWN;
    },
    canResolve(path) {
      return !has(path) && !asked.has(path) && Object.prototype.hasOwnProperty.call(probes, path);
    },
    async resolve(paths) {
      this.calls.push([...paths]);
      for (const path of paths) {
        asked.add(path);
        const value = probes[path];
        if (value !== UNKNOWN) facts[path] = value;
      }
    },
  };
}

/**
 * The example runner's factory for tests: the paste is either a Front error body (`{"_error": …}`) or a
 * JSON object of paste facts; the real paste parser lives in src/input.
 */
export function exampleSource(paste: string, facts: Record<string, FactValue>): FactSource {
  const pasted = paste.trim() === '' ? {} : (JSON.parse(paste) as Record<string, unknown>);
  const error = pasted._error as { status?: number; title?: string; message?: string } | undefined;
  const pasteFacts: Record<string, FactValue> =
    error === undefined
      ? (pasted as Record<string, FactValue>)
      : { 'error.status': error.status, 'error.title': error.title, 'error.message': error.message };
  return objectSource({ ...pasteFacts, ...facts });
}

/** A valid rule from the parts a test cares about, validated by the real schema. */
export function makeRule(parts: {
  id?: string;
  when: unknown;
  priority?: number;
  fallback?: boolean;
  summary?: string;
}): Rule {
  // A rule's id names its cause; tests only need distinct ids, so the draft is made for the cause "unknown".
  const draft = ruleSchema.parse({
    id: 'unknown',
    priority: parts.priority ?? 50,
    confidence: 'medium',
    fallback: parts.fallback,
    when: parts.when,
    headline: parts.summary ?? 'headline',
    why: 'why',
    steps: { agent: ['step'] },
    customer_can_fix: false,
  });
  const resolved = resolveRule(draft, new ConditionLibrary([]), { file: 'test', text: '', path: [] });
  if (!resolved.ok) throw new Error(resolved.problems.map((p) => p.message).join('; '));
  return { ...(resolved.rules[0] as Rule), id: parts.id ?? 'test-rule' };
}
