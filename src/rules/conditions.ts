import { namesIn, parseExpression, type Expression } from './expression';
import type { Condition, ConditionDraft } from './schema';
import { didYouMean } from './suggest';
import { locate, locateValue } from './yaml-position';

/** Where a draft condition was written, so that a problem in it can be shown as file:line:col. */
export interface Origin {
  file: string;
  text: string;
  /** The YAML path of the condition inside its file (`['when']`, or `['reproduced-403']`). */
  path: (string | number)[];
  /** `rule=<id>` in errors; absent for shared condition files. */
  ruleId?: string;
}

export interface NamedCondition {
  name: string;
  draft: ConditionDraft;
  origin: Origin;
}

export interface ConditionProblem {
  origin: Origin;
  /** The YAML path of the piece at fault, and how far into its text (for a name inside a line of logic). */
  path: (string | number)[];
  offset: number;
  message: string;
  /** Point at the key that names the piece rather than inside its value. */
  atKey?: boolean;
}

export interface PositionedProblem {
  file: string;
  line: number;
  col: number;
  ruleId?: string;
  message: string;
}

export function positionProblem(problem: ConditionProblem): PositionedProblem {
  const { line, col } = (problem.atKey ? locate : locateValue)(problem.origin.text, problem.path);
  return {
    file: problem.origin.file,
    line,
    col: col + problem.offset,
    ruleId: problem.origin.ruleId,
    message: problem.message,
  };
}

/**
 * The named conditions of a rule set, resolved on demand: each name is inlined where it is used (so the
 * engine sees plain conditions) and resolved once, however many rules use it. A name used inside its own
 * definition, directly or through others, is a cycle and reported with the whole chain.
 */
/** The diagnosis's own state, usable in the `if:` of a text line and nowhere else. */
export type DiagnosisState = 'confirmed' | 'possible';
export const STATE_NAMES: readonly DiagnosisState[] = ['confirmed', 'possible'];
/**
 * Names whose truth is fixed when a text line is resolved: the diagnosis's state, and which variant of the rule
 * matched. A text line is resolved once per combination, so at render time it is a plain condition.
 */
export type Constants = ReadonlyMap<string, boolean>;
// An empty `all` is true and an empty `any` false, in the engine as in logic.
const ALWAYS: Condition = { all: [] };
const NEVER: Condition = { any: [] };

export class ConditionLibrary {
  private readonly byName = new Map<string, NamedCondition>();
  private readonly resolved = new Map<string, Condition | null>();
  private readonly resolving: string[] = [];
  /** Problems inside the named conditions themselves, reported once each, whoever uses them. */
  readonly problems: ConditionProblem[] = [];

  /** `parent`: the rule set's shared conditions, when these are one rule's own. */
  constructor(
    definitions: NamedCondition[],
    private readonly parent?: ConditionLibrary,
  ) {
    for (const definition of definitions) {
      const first = this.byName.get(definition.name) ?? parent?.byName.get(definition.name);
      if (first === undefined) {
        this.byName.set(definition.name, definition);
        continue;
      }
      const { line } = locate(first.origin.text, first.origin.path);
      this.problems.push({
        origin: definition.origin,
        path: definition.origin.path,
        offset: 0,
        atKey: true,
        message: `condition "${definition.name}" is defined twice; the first is in ${first.origin.file}:${line}. Rename one, or keep one definition`,
      });
    }
  }

  get names(): string[] {
    return [...this.byName.keys(), ...(this.parent?.names ?? [])];
  }

  has(name: string): boolean {
    return this.byName.has(name) || (this.parent?.has(name) ?? false);
  }

  /** Every named condition resolved, so that a broken one is reported even when no rule uses it yet. */
  checkAll(): void {
    for (const name of this.byName.keys()) this.named(name);
  }

  /**
   * The draft with every name inlined, or undefined when something in it (or in a name it uses) is broken.
   * With `constants` (text conditions), those names stand for fixed truths: the state, the variant.
   */
  resolve(
    draft: ConditionDraft,
    origin: Origin,
    constants?: Constants,
  ): { condition?: Condition; problems: ConditionProblem[] } {
    const problems: ConditionProblem[] = [];
    const condition = this.inline(draft, origin, origin.path, problems, constants);
    return { condition: condition ?? undefined, problems };
  }

  private named(name: string): Condition | null {
    if (!this.byName.has(name) && this.parent !== undefined) return this.parent.named(name);
    const done = this.resolved.get(name);
    if (done !== undefined) return done;
    const definition = this.byName.get(name);
    if (definition === undefined) return null;
    this.resolving.push(name);
    const condition = this.inline(definition.draft, definition.origin, definition.origin.path, this.problems);
    this.resolving.pop();
    this.resolved.set(name, condition);
    return condition;
  }

  private inline(
    draft: ConditionDraft,
    origin: Origin,
    path: (string | number)[],
    problems: ConditionProblem[],
    constants?: Constants,
  ): Condition | null {
    if ('expression' in draft) return this.inlineExpression(draft.expression, origin, path, problems, constants);
    if ('all' in draft || 'any' in draft) {
      const key = 'all' in draft ? 'all' : 'any';
      const children = ('all' in draft ? draft.all : draft.any).map((child, i) =>
        this.inline(child, origin, [...path, key, i], problems, constants),
      );
      if (children.some((c) => c === null)) return null;
      return key === 'all' ? { all: children as Condition[] } : { any: children as Condition[] };
    }
    if ('not' in draft) {
      const child = this.inline(draft.not, origin, [...path, 'not'], problems, constants);
      return child === null ? null : { not: child };
    }
    return draft;
  }

  private inlineExpression(
    source: string,
    origin: Origin,
    path: (string | number)[],
    problems: ConditionProblem[],
    constants?: Constants,
  ): Condition | null {
    const parsed = parseExpression(source);
    if (!parsed.ok) {
      problems.push({ origin, path, offset: parsed.offset, message: parsed.message });
      return null;
    }
    let broken = false;
    for (const { name, offset } of namesIn(parsed.expression)) {
      const problem = this.checkName(name, constants);
      if (problem !== undefined) {
        problems.push({ origin, path, offset, message: problem });
        broken = true;
      }
    }
    // A name whose own definition is broken was reported there; whatever uses it cannot be evaluated either.
    return broken ? null : this.fromExpression(parsed.expression, constants);
  }

  private checkName(name: string, constants: Constants | undefined): string | undefined {
    if (constants?.has(name)) return undefined;
    if ((STATE_NAMES as readonly string[]).includes(name)) {
      return `"${name}" is the diagnosis's state, known only once the rule has matched: use it in the "if" of a text line`;
    }
    if (!this.has(name)) {
      const known = [...this.names, ...(constants?.keys() ?? [])];
      return `unknown condition "${name}"${didYouMean(name, known)} (named conditions live in rules/conditions/*.yml)`;
    }
    const loopStart = this.resolving.indexOf(name);
    if (loopStart !== -1) {
      const chain = [...this.resolving.slice(loopStart), name].join(' → ');
      return `condition "${name}" depends on itself (${chain}); a condition cannot be part of its own definition`;
    }
    return undefined;
  }

  private fromExpression(expression: Expression, constants?: Constants): Condition | null {
    switch (expression.kind) {
      case 'name': {
        const constant = constants?.get(expression.name);
        if (constant !== undefined) return constant ? ALWAYS : NEVER;
        return this.named(expression.name);
      }
      case 'not': {
        const item = this.fromExpression(expression.item, constants);
        return item === null ? null : { not: item };
      }
      default: {
        const items = expression.items.map((item) => this.fromExpression(item, constants));
        if (items.some((item) => item === null)) return null;
        return expression.kind === 'and' ? { all: items as Condition[] } : { any: items as Condition[] };
      }
    }
  }
}
