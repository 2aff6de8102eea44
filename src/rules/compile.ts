import type { FactPath } from '../facts';
import type { Condition, LeafCondition, Operator, Rule } from './schema';
import { UNKNOWN, type FactSource, type FactValue } from './source';
import { textLines } from './text-lines';

/**
 * Conditions compiled once into a graph the engine evaluates per paste without walking the YAML-shaped tree
 * again. Equal pieces become one node: a leaf by what it tests (fact, operator, value), a branch by its
 * children. Named conditions are inlined into every rule that uses them, so most rules share the same pasted-403
 * or private-refusal tests; as nodes, each is evaluated once per paste however many rules ask. Facts are read
 * through numbered slots, once each per round, instead of through a map per leaf per rule.
 *
 * The semantics are the tree walk's exactly (test/rules/reference-engine.ts keeps it as the specification):
 * results depend only on the facts, which stay fixed for one round of evaluation.
 */

/** A node's result in a round. 0: not evaluated yet. */
export const TRUE = 1;
export const FALSE = 2;
export const UNDECIDED = 3;
export type Result = typeof TRUE | typeof FALSE | typeof UNDECIDED;

const LEAF = 0;
const ALL = 1;
const ANY = 2;
const NOT = 3;

/** A leaf's operator, kept on the node as a small whole number like its other fields; a branch has NO_OP. */
const OP = {
  exists: 1,
  equals: 2,
  in: 3,
  matches: 4,
  includes: 5,
  gt: 6,
  lt: 7,
} as const satisfies Record<Operator, number>;
type OpCode = (typeof OP)[Operator];
const NO_OP = 0;

/** One shape for every node, so that evaluation stays monomorphic. */
class Node {
  constructor(
    readonly id: number,
    readonly kind: number,
    /** ALL and ANY: the children; NOT: its one child. */
    readonly children: Node[],
    readonly slot: number,
    readonly op: OpCode | typeof NO_OP,
    readonly value: unknown,
    readonly regex: RegExp | undefined,
  ) {}
}

/** One leaf as written, in the order written, for the trace ("why this diagnosis"). */
interface TraceStep {
  node: Node;
  condition: LeafCondition;
  negated: boolean;
  /**
   * The same leaf written again (in a named condition many rules inline) has the same entry: the entry depends only
   * on the node, the value as written and `negated`, so a round builds it once however many traces show it.
   */
  entry: number;
}

export interface CompiledRule<R extends Pick<Rule, 'when'> = Rule> {
  rule: R;
  root: Node;
  trace: TraceStep[];
}

/**
 * Per node, `round << 4 | state` (its result and what `supports` answers, see `State`); per fact slot, its value and
 * the round it was read in; per trace entry, the entry and the round it was built in.
 */
class Buffers {
  round = 0;
  states: Uint32Array;
  values: (FactValue | typeof UNKNOWN)[];
  readIn: Uint32Array;
  traced: (ConditionTrace | undefined)[];
  tracedIn: Uint32Array;

  constructor(nodes: number, slots: number, entries: number) {
    this.states = new Uint32Array(nodes);
    this.values = new Array<FactValue>(slots).fill(undefined);
    this.readIn = new Uint32Array(slots);
    this.traced = new Array<ConditionTrace | undefined>(entries).fill(undefined);
    this.tracedIn = new Uint32Array(entries);
  }

  /** The next round's number; 0 never is one, so fresh buffers hold nothing. */
  next(): number {
    if (this.round >= MAX_ROUND) {
      this.round = 0;
      for (const marks of [this.states, this.readIn, this.tracedIn]) marks.fill(0);
    }
    return ++this.round;
  }
}

// Leaves room for the four state bits in a 32-bit mark that stays positive as a signed number.
const MAX_ROUND = 2 ** 27 - 1;

/**
 * A node's result in its low two bits, then whether it supports TRUE and FALSE (`Round.supports`). Both are worked
 * out as the node is evaluated, from its children's: a possible rule asks for its root, and rules share nodes.
 */
type State = number;
const RESULT_BITS = 3;
const SUPPORTS_TRUE = 4;
const SUPPORTS_FALSE = 8;
const SUPPORT_BITS = SUPPORTS_TRUE | SUPPORTS_FALSE;

export class Program<R extends Pick<Rule, 'when'> = Rule> {
  readonly facts: FactPath[] = [];
  readonly rules: CompiledRule<R>[];
  readonly primary: CompiledRule<R>[];
  readonly fallback: CompiledRule<R>[];
  readonly buffers: Buffers;
  private nodes = 0;
  private readonly slots = new Map<string, number>();
  private readonly byKey = new Map<string, Node>();
  private readonly entries = new Map<string, number>();

  constructor(rules: readonly R[]) {
    this.rules = rules.map((rule) => {
      const trace: TraceStep[] = [];
      return { rule, root: this.node(rule.when, false, trace), trace };
    });
    this.primary = this.rules.filter((r) => !(r.rule as Partial<Rule>).fallback);
    this.fallback = this.rules.filter((r) => (r.rule as Partial<Rule>).fallback);
    this.buffers = new Buffers(this.nodes, this.facts.length, this.entries.size);
  }

  private node(condition: Condition, negated: boolean, trace: TraceStep[]): Node {
    if ('all' in condition || 'any' in condition) {
      const kind = 'all' in condition ? ALL : ANY;
      const children = ('all' in condition ? condition.all : condition.any).map((c) => this.node(c, negated, trace));
      return this.intern(
        `${kind}:${children.map((c) => c.id).join(',')}`,
        () => new Node(this.nodes++, kind, children, -1, NO_OP, undefined, undefined),
      );
    }
    if ('not' in condition) {
      const child = this.node(condition.not, !negated, trace);
      return this.intern(
        `${NOT}:${child.id}`,
        () => new Node(this.nodes++, NOT, [child], -1, NO_OP, undefined, undefined),
      );
    }
    const slot = this.slot(condition.fact);
    const op = OP[condition.op];
    const regex = condition.op === 'matches' ? condition.regex : undefined;
    const key = `${LEAF}:${slot}:${op}:${regex ? `${regex.flags}/${regex.source}` : valueKey(condition.value)}`;
    const node = this.intern(key, () => new Node(this.nodes++, LEAF, [], slot, op, condition.value, regex));
    trace.push({
      node,
      condition,
      negated,
      entry: this.entry(`${node.id}:${negated}:${valueKey(condition.value, true)}`),
    });
    return node;
  }

  private entry(key: string): number {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.entries.size;
      this.entries.set(key, entry);
    }
    return entry;
  }

  private intern(key: string, make: () => Node): Node {
    let node = this.byKey.get(key);
    if (node === undefined) {
      node = make();
      this.byKey.set(key, node);
    }
    return node;
  }

  private slot(fact: FactPath): number {
    let slot = this.slots.get(fact);
    if (slot === undefined) {
      slot = this.facts.length;
      this.facts.push(fact);
      this.slots.set(fact, slot);
    }
    return slot;
  }
}

/** Tells apart every value a leaf may compare with (`String` alone would merge 1 and "1"). */
/**
 * A value as a key. `asWritten` tells -0 from 0, which every test of a leaf treats alike but a trace shows as the
 * rule wrote it.
 */
function valueKey(value: unknown, asWritten = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => valueKey(v, asWritten)).join(',')}]`;
  if (asWritten && Object.is(value, -0)) return 'number:-0';
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value}:${String(value)}`;
}

const programs = new WeakMap<readonly Rule[], Program>();

/** The rule set's program, compiled on first use and kept as long as the set is (a reload makes a new set). */
export function compileRules(rules: readonly Rule[]): Program {
  let program = programs.get(rules);
  if (program === undefined) {
    program = new Program(rules);
    programs.set(rules, program);
  }
  return program;
}

/**
 * One round of evaluation: the facts as the source has them now. Each fact is read once and each node
 * evaluated once; after the source learns more, a new round starts. A round lives within one synchronous
 * stretch of the engine, so rounds reuse their program's buffers, told apart by a round number instead of
 * being cleared (a paste costs no allocation here).
 */
export class Round<R extends Pick<Rule, 'when'> = Rule> {
  private readonly number: number;

  constructor(
    private readonly program: Program<R>,
    private readonly source: Pick<FactSource, 'get'>,
  ) {
    this.number = program.buffers.next();
  }

  /** Short-circuits like the three-valued `and`/`or` it implements; an undecided branch has evaluated all its children. */
  truth(node: Node): Result {
    return (this.evaluate(node, this.current()) & RESULT_BITS) as Result;
  }

  private evaluate(node: Node, buffers: Buffers): State {
    const mark = buffers.states[node.id] as number;
    if (mark >>> 4 === this.number) return mark & 15;
    let result: Result;
    // What the children support, for a node left undecided (only then are they asked: see `supports`).
    let open = 0;
    switch (node.kind) {
      case LEAF: {
        const actual = this.readIn(node.slot, buffers);
        result = actual === UNKNOWN ? UNDECIDED : testLeaf(node, actual) ? TRUE : FALSE;
        break;
      }
      case ALL:
        result = TRUE;
        for (const child of node.children) {
          const state = this.evaluate(child, buffers);
          const r = state & RESULT_BITS;
          if (r === FALSE) {
            result = FALSE;
            break;
          }
          if (r === UNDECIDED) result = UNDECIDED;
          open |= state & SUPPORT_BITS;
        }
        break;
      case ANY:
        result = FALSE;
        for (const child of node.children) {
          const state = this.evaluate(child, buffers);
          const r = state & RESULT_BITS;
          if (r === TRUE) {
            result = TRUE;
            break;
          }
          if (r === UNDECIDED) result = UNDECIDED;
          open |= state & SUPPORT_BITS;
        }
        break;
      default: {
        const state = this.evaluate(node.children[0] as Node, buffers);
        const r = state & RESULT_BITS;
        result = r === TRUE ? FALSE : r === FALSE ? TRUE : UNDECIDED;
        // `not` flips what is wanted.
        open = (state & SUPPORTS_TRUE ? SUPPORTS_FALSE : 0) | (state & SUPPORTS_FALSE ? SUPPORTS_TRUE : 0);
      }
    }
    const state = result | (result === TRUE ? SUPPORTS_TRUE : result === FALSE ? SUPPORTS_FALSE : open);
    buffers.states[node.id] = (this.number << 4) | state;
    return state;
  }

  /**
   * The unknown facts that could still decide this node, in the order written. A decided node needs none,
   * which is what short-circuits probing: a false child of `all` (or a true child of `any`) makes its siblings moot.
   */
  neededFacts(node: Node, into: FactPath[] = []): FactPath[] {
    if (this.truth(node) !== UNDECIDED) return into;
    if (node.kind === LEAF) {
      const fact = this.program.facts[node.slot] as FactPath;
      if (!into.includes(fact)) into.push(fact);
    } else {
      for (const child of node.children) this.neededFacts(child, into);
    }
    return into;
  }

  /**
   * The unknown facts this node cannot be decided without, whatever the others turn out to be: followed only
   * through the one child left open (a second open child of `all` or `any` could decide the node alone).
   */
  forcedFacts(node: Node, into: Set<FactPath>): Set<FactPath> {
    if (this.truth(node) !== UNDECIDED) return into;
    if (node.kind === LEAF) return into.add(this.program.facts[node.slot] as FactPath);
    const open = node.children.filter((child) => this.truth(child) === UNDECIDED);
    return open.length === 1 ? this.forcedFacts(open[0] as Node, into) : into;
  }

  /**
   * Whether something known points towards `want` for this node: a leaf with that result, reached without
   * passing through a branch already decided the other way. `not` flips what is wanted, so in
   * `not: {any: [A, B]}` a false A counts. A possible rule is reported only when this holds for its root:
   * otherwise nothing in the paste suggests it, and listing it would be noise.
   *
   * Worked out in `evaluate`: a decided node supports its own result and nothing else; an undecided leaf supports
   * nothing; an undecided `all` or `any` has evaluated every child, and a child decided against what is wanted supports
   * only its own result, so the branch supports whatever any child supports; `not` supports the opposite of its child.
   */
  supports(node: Node, want: typeof TRUE | typeof FALSE): boolean {
    const state = this.evaluate(node, this.current());
    return (state & (want === TRUE ? SUPPORTS_TRUE : SUPPORTS_FALSE)) !== 0;
  }

  /** Every leaf of the rule as written, with what it saw: built only for a rule that is reported. */
  trace(rule: CompiledRule<R>): ConditionTrace[] {
    const buffers = this.current();
    return rule.trace.map((step) => {
      if (buffers.tracedIn[step.entry] === this.number) return buffers.traced[step.entry] as ConditionTrace;
      const entry = this.traceEntry(step);
      buffers.traced[step.entry] = entry;
      buffers.tracedIn[step.entry] = this.number;
      return entry;
    });
  }

  private traceEntry({ node, condition, negated }: TraceStep): ConditionTrace {
    const actual = this.read(node.slot);
    return {
      fact: condition.fact,
      op: condition.op,
      expected: condition.value,
      actual: actual === UNKNOWN ? 'unknown' : actual,
      result: truthName(this.truth(node)),
      negated,
    };
  }

  private read(slot: number): FactValue | typeof UNKNOWN {
    return this.readIn(slot, this.current());
  }

  private readIn(slot: number, buffers: Buffers): FactValue | typeof UNKNOWN {
    if (buffers.readIn[slot] === this.number) return buffers.values[slot];
    const value = this.source.get(this.program.facts[slot] as FactPath);
    buffers.values[slot] = value;
    buffers.readIn[slot] = this.number;
    return value;
  }

  private current(): Buffers {
    const buffers = this.program.buffers;
    if (buffers.round !== this.number) throw new Error('a round of rule evaluation was used after a newer one started');
    return buffers;
  }
}

export type Truth = 'true' | 'false' | 'unknown';

/** One leaf condition as evaluated: the "why this diagnosis" evidence. */
export interface ConditionTrace {
  fact: FactPath;
  op: string;
  expected: unknown;
  actual: FactValue | 'unknown';
  result: Truth;
  /** Under an odd number of `not`s: the rule wanted this leaf to be false. */
  negated: boolean;
}

export function truthName(result: Result): Truth {
  return result === TRUE ? 'true' : result === FALSE ? 'false' : 'unknown';
}

/** A known value against one leaf. Absent facts fail every test but `exists: false`; ill-typed values fail. */
function testLeaf(node: Node, actual: FactValue): boolean {
  switch (node.op) {
    case OP.exists:
      return (actual !== undefined) === node.value;
    case OP.equals:
      return actual === node.value;
    case OP.in:
      return !Array.isArray(actual) && actual !== undefined && (node.value as unknown[]).includes(actual);
    case OP.matches: {
      const regex = node.regex as RegExp;
      if (typeof actual === 'string') return regex.test(actual);
      return Array.isArray(actual) && actual.some((entry) => typeof entry === 'string' && regex.test(entry));
    }
    case OP.includes:
      return Array.isArray(actual) && actual.includes(node.value as string);
    case OP.gt:
      return typeof actual === 'number' && actual > (node.value as number);
    case OP.lt:
      return typeof actual === 'number' && actual < (node.value as number);
    default:
      return false;
  }
}

/** The conditions of a rule's text lines, as a diagnosis of it sees them (`lineConditions`). */
export interface LineConditions {
  truth(condition: Condition): Truth;
  /** The unknown facts that could still decide the condition (none once it is decided), in the order written. */
  needs(condition: Condition): FactPath[];
}

interface TextProgram {
  program: Program<{ when: Condition }>;
  roots: Map<Condition, Node>;
}

const textPrograms = new WeakMap<Rule, TextProgram>();

/**
 * A rule's line conditions, for both states, compiled into one program on first use: a diagnosis evaluates them in
 * one round, so the pieces lines share (`conversation`, `owner-known`, the state) and the facts they read are
 * evaluated once per diagnosis instead of once per line. Only the rule's own line conditions can be asked about.
 */
export function lineConditions(rule: Rule, source: Pick<FactSource, 'get'>): LineConditions {
  const { program, roots } = textProgram(rule);
  const round = new Round(program, source);
  const rootOf = (condition: Condition): Node => {
    const root = roots.get(condition);
    if (root === undefined)
      throw new Error(`rule ${rule.id}: a condition that is not one of its text lines' was asked`);
    return root;
  };
  return {
    truth: (condition) => truthName(round.truth(rootOf(condition))),
    needs: (condition) => round.neededFacts(rootOf(condition)),
  };
}

function textProgram(rule: Rule): TextProgram {
  let compiled = textPrograms.get(rule);
  if (compiled === undefined) {
    const conditions = textLines(rule).flatMap((line) => (line.if ? [line.if.confirmed, line.if.possible] : []));
    const program = new Program(conditions.map((when) => ({ when })));
    const roots = new Map(program.rules.map(({ rule: { when }, root }) => [when, root] as const));
    compiled = { program, roots };
    textPrograms.set(rule, compiled);
  }
  return compiled;
}

/** Compiles a rule set and its text lines' conditions now, so that the first paste does not pay for it. */
export function precompile(rules: readonly Rule[]): void {
  compileRules(rules);
  for (const rule of rules) textProgram(rule);
}
