/**
 * The one-line logic of a rule: condition names joined by `and`, `or`, `not` and parentheses, as in Sigma's
 * `condition:` line (`reproduced-403 and not owner-readable`). Names are resolved later, against the named
 * conditions the rule set defines; this module only reads the line.
 */

export type Expression =
  | { kind: 'name'; name: string; offset: number }
  | { kind: 'and' | 'or'; items: Expression[] }
  | { kind: 'not'; item: Expression };

export type ParsedExpression = { ok: true; expression: Expression } | { ok: false; message: string; offset: number };

/** Condition names: lowercase words joined by dashes, the same shape as rule ids. */
export const CONDITION_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

interface Token {
  text: string;
  offset: number;
}

const KEYWORDS = new Set(['and', 'or', 'not']);

function tokenize(source: string): Token[] | { message: string; offset: number } {
  const tokens: Token[] = [];
  const word = /[A-Za-z0-9_.-]+/y;
  let i = 0;
  while (i < source.length) {
    const ch = source[i] ?? '';
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ text: ch, offset: i });
      i++;
    } else {
      word.lastIndex = i;
      const match = word.exec(source);
      if (match === null)
        return { message: `unexpected "${ch}"; join condition names with and, or, not and parentheses`, offset: i };
      tokens.push({ text: match[0], offset: i });
      i += match[0].length;
    }
  }
  return tokens;
}

/** Reads `a and (b or not c)`: `not` binds tightest, then `and`, then `or`. */
export function parseExpression(source: string): ParsedExpression {
  const tokens = tokenize(source);
  if (!Array.isArray(tokens)) return { ok: false, ...tokens };
  if (tokens.length === 0)
    return { ok: false, message: 'the condition is empty; name at least one condition', offset: 0 };
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const end = source.length;

  class Failure extends Error {
    constructor(
      message: string,
      readonly offset: number,
    ) {
      super(message);
    }
  }

  const parseOr = (): Expression => {
    const items = [parseAnd()];
    while (peek()?.text === 'or') {
      at++;
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] as Expression) : { kind: 'or', items };
  };
  const parseAnd = (): Expression => {
    const items = [parseUnary()];
    while (peek()?.text === 'and') {
      at++;
      items.push(parseUnary());
    }
    return items.length === 1 ? (items[0] as Expression) : { kind: 'and', items };
  };
  const parseUnary = (): Expression => {
    const token = peek();
    if (token === undefined) throw new Failure('the condition ends too early: a condition name is missing', end);
    at++;
    if (token.text === 'not') return { kind: 'not', item: parseUnary() };
    if (token.text === '(') {
      const inner = parseOr();
      const close = peek();
      if (close?.text !== ')') throw new Failure('a "(" is not closed', close?.offset ?? end);
      at++;
      return inner;
    }
    if (token.text === ')' || KEYWORDS.has(token.text)) {
      throw new Failure(`"${token.text}" where a condition name should be`, token.offset);
    }
    if (!CONDITION_NAME.test(token.text)) {
      const hint = token.text.includes('.')
        ? '; fact tests go in a named condition (a mapping such as `error.status: 403`), not in this line'
        : '; names are lowercase words joined by dashes';
      throw new Failure(`"${token.text}" is not a condition name${hint}`, token.offset);
    }
    return { kind: 'name', name: token.text, offset: token.offset };
  };

  try {
    const expression = parseOr();
    const rest = peek();
    if (rest !== undefined) {
      const message =
        rest.text === ')'
          ? 'a ")" has no "(" to close'
          : `"${rest.text}" follows a complete condition; join them with and / or`;
      return { ok: false, message, offset: rest.offset };
    }
    return { ok: true, expression };
  } catch (error) {
    if (error instanceof Failure) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}

/** Every name the expression uses, in the order written. */
export function namesIn(
  expression: Expression,
  into: { name: string; offset: number }[] = [],
): { name: string; offset: number }[] {
  if (expression.kind === 'name') into.push({ name: expression.name, offset: expression.offset });
  else if (expression.kind === 'not') namesIn(expression.item, into);
  else for (const item of expression.items) namesIn(item, into);
  return into;
}
