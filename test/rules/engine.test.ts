import type { FactPath } from '../../src/facts';
import { evaluateRule, matchRules, UNKNOWN, type FactValue, type Rule, type Truth } from '../../src/rules';
import { and, invert, or } from './reference-engine';
import { makeRule, objectSource } from './helpers';

const T: Truth = 'true';
const F: Truth = 'false';
const U: Truth = 'unknown';

/** A leaf whose result is the given truth value under `world` below. */
const leaf: Record<Truth, unknown> = {
  true: { fact: 'error.status', equals: 403 },
  false: { fact: 'error.status', equals: 404 },
  unknown: { fact: 'token.private_scope', equals: true },
};
const world = () => objectSource({ 'error.status': 403 });
const outcome = (when: unknown) => evaluateRule(makeRule({ when }), world()).outcome;

describe('three-valued logic', () => {
  const values = [T, F, U];
  const table = values.flatMap((a) => values.map((b) => [a, b] as const));

  it.each(table)('all(%s, %s) and any(%s, %s) follow Kleene logic', (a, b) => {
    const expectedAll = a === F || b === F ? F : a === U || b === U ? U : T;
    const expectedAny = a === T || b === T ? T : a === U || b === U ? U : F;
    expect(and([a, b])).toBe(expectedAll);
    expect(or([a, b])).toBe(expectedAny);
    expect(outcome({ all: [leaf[a], leaf[b]] })).toBe(expectedAll);
    expect(outcome({ any: [leaf[a], leaf[b]] })).toBe(expectedAny);
  });

  it.each(values)('not(%s)', (a) => {
    expect(invert(a)).toBe({ true: F, false: T, unknown: U }[a]);
    expect(outcome({ not: leaf[a] })).toBe(invert(a));
  });
});

describe('leaf conditions', () => {
  const known: Record<string, FactValue> = {
    'error.status': 429,
    'error.title': 'Too Many Requests',
    'input.ids': ['cnv_1', 'msg_2'],
    'input.has_error': true,
  };
  const check = (when: unknown, facts = known) => evaluateRule(makeRule({ when }), objectSource(facts)).outcome;

  it.each([
    [{ fact: 'error.status', equals: 429 }, T],
    [{ fact: 'error.status', in: [403, 429] }, T],
    [{ fact: 'error.status', in: [403] }, F],
    [{ fact: 'error.status', gt: 428 }, T],
    [{ fact: 'error.status', lt: 429 }, F],
    [{ fact: 'error.title', matches: 'too many' }, F],
    [{ fact: 'error.title', matches: '(?i)too many' }, T],
    [{ fact: 'error.title', matches: 'Many' }, T],
    [{ fact: 'input.ids', includes: 'msg_2' }, T],
    [{ fact: 'input.ids', includes: 'msg' }, F],
    [{ fact: 'input.ids', matches: '^msg_' }, T],
    [{ fact: 'input.has_error', equals: true }, T],
    [{ fact: 'error.status', exists: true }, T],
  ])('%j is %s', (when, expected) => {
    expect(check(when)).toBe(expected);
  });

  it.each([
    [{ fact: 'error.message', equals: 'x' }, F],
    [{ fact: 'error.message', in: ['x'] }, F],
    [{ fact: 'error.message', matches: '' }, F],
    [{ fact: 'error.message', exists: true }, F],
    [{ fact: 'error.message', exists: false }, T],
    [{ fact: 'error.details', includes: 'x' }, F],
    [{ fact: 'error.rate_limit.remaining', lt: 1 }, F],
    [{ not: { fact: 'error.message', equals: 'x' } }, T],
  ])('an absent paste fact: %j is %s', (when, expected) => {
    expect(check(when)).toBe(expected);
  });

  it('an unknown probe fact is unknown for every operator, exists included', () => {
    for (const when of [
      { fact: 'me.status', equals: 200 },
      { fact: 'me.status', exists: false },
      { fact: 'token.scopes', includes: 'private:*' },
    ]) {
      expect(check(when)).toBe(U);
    }
  });

  it('a known-absent probe fact (checked, nothing there) is absent, not unknown', () => {
    expect(check({ fact: 'conversation.merged_into', exists: false }, { 'conversation.merged_into': undefined })).toBe(
      T,
    );
  });
});

describe('evaluateRule: trace, unknown facts, support', () => {
  it('traces every leaf in order, marking those under an odd number of nots', () => {
    const rule = makeRule({
      when: {
        all: [
          { fact: 'error.status', equals: 404 },
          { not: { fact: 'token.kind', equals: 'oauth' } },
          { not: { not: { fact: 'error.title', matches: '(?i)not found' } } },
        ],
      },
    });
    const result = evaluateRule(rule, objectSource({ 'error.status': 403 }));
    expect(result.outcome).toBe(F);
    expect(result.trace).toEqual([
      { fact: 'error.status', op: 'equals', expected: 404, actual: 403, result: F, negated: false },
      { fact: 'token.kind', op: 'equals', expected: 'oauth', actual: 'unknown', result: U, negated: true },
      { fact: 'error.title', op: 'matches', expected: '(?i)not found', actual: undefined, result: F, negated: false },
    ]);
    expect(result.unknownFacts).toEqual([]);
  });

  it('lists only the unknown facts that could still decide the rule, each once', () => {
    const rule = makeRule({
      when: {
        all: [
          { fact: 'error.status', equals: 403 },
          {
            any: [
              { fact: 'error.status', equals: 403 },
              { fact: 'me.status', equals: 401 },
            ],
          },
          {
            any: [
              { fact: 'token.private_scope', equals: true },
              { fact: 'owner.private_access', equals: 'denied' },
            ],
          },
          { not: { fact: 'token.private_scope', equals: false } },
        ],
      },
    });
    expect(evaluateRule(rule, world()).unknownFacts).toEqual(['token.private_scope', 'owner.private_access']);
  });

  it('counts as support only a true condition on the way to the outcome', () => {
    const support = (when: unknown) => evaluateRule(makeRule({ when }), world()).anyTrue;
    expect(support({ all: [leaf.true, leaf.unknown] })).toBe(true);
    expect(support({ all: [leaf.unknown, leaf.unknown] })).toBe(false);
    // The true leaf sits in a branch that is already false: it says nothing for the rule.
    expect(support({ any: [{ all: [leaf.true, leaf.false] }, leaf.unknown] })).toBe(false);
    expect(support({ any: [{ all: [leaf.true, leaf.unknown] }, leaf.unknown] })).toBe(true);
    // Under not, a false leaf is what supports.
    expect(support({ not: { any: [leaf.false, leaf.unknown] } })).toBe(true);
    expect(support({ not: { all: [leaf.true, leaf.unknown] } })).toBe(false);
    expect(support({ all: [{ not: leaf.false }, leaf.unknown] })).toBe(true);
  });
});

describe('matchRules: lazy resolution', () => {
  const probeAnswers = {
    'token.private_scope': true,
    'owner.private_access': 'denied',
    'me.status': 200,
    'conversation.status': 403,
  } as const;

  it('never resolves facts behind a false paste condition', async () => {
    const source = objectSource({ 'error.status': 404 }, probeAnswers);
    const rule = makeRule({
      when: {
        all: [
          { fact: 'error.status', equals: 403 },
          { fact: 'token.private_scope', equals: true },
        ],
      },
    });
    expect(await matchRules([rule], source)).toEqual([]);
    expect(source.calls).toEqual([]);
  });

  it('never resolves facts next to a true paste condition in any', async () => {
    const source = objectSource({ 'error.status': 403 }, probeAnswers);
    const rule = makeRule({
      when: {
        any: [
          { fact: 'error.status', equals: 403 },
          { fact: 'me.status', equals: 401 },
        ],
      },
    });
    expect((await matchRules([rule], source)).map((m) => m.outcome)).toEqual(['confirmed']);
    expect(source.calls).toEqual([]);
  });

  it('resolves independent unknowns of all rules in one call', async () => {
    const source = objectSource({ 'error.status': 403 }, probeAnswers);
    const rules = [
      makeRule({
        id: 'a',
        when: {
          all: [
            leaf.true,
            { fact: 'token.private_scope', equals: true },
            { fact: 'owner.private_access', equals: 'denied' },
          ],
        },
      }),
      makeRule({ id: 'b', when: { all: [leaf.true, { fact: 'conversation.status', equals: 403 }] } }),
      makeRule({ id: 'c', when: { all: [leaf.false, { fact: 'me.status', equals: 200 }] } }),
    ];
    const matches = await matchRules(rules, source);
    expect(source.calls).toEqual([['token.private_scope', 'owner.private_access', 'conversation.status']]);
    expect(matches.map((m) => [m.rule.id, m.outcome])).toEqual([
      ['a', 'confirmed'],
      ['b', 'confirmed'],
    ]);
  });

  it('runs further rounds when a fact becomes resolvable only after another is known', async () => {
    const base = objectSource({ 'error.status': 403 }, { 'inboxes.private': true, 'owner.private_access': 'denied' });
    // The owner probe needs the inbox probe's answer first.
    const source = {
      ...base,
      canResolve: (p: FactPath) =>
        base.canResolve(p) && (p !== 'owner.private_access' || base.get('inboxes.private') !== UNKNOWN),
    };
    const rule = makeRule({
      when: {
        all: [leaf.true, { fact: 'inboxes.private', equals: true }, { fact: 'owner.private_access', equals: 'denied' }],
      },
    });
    expect((await matchRules([rule], source)).map((m) => m.outcome)).toEqual(['confirmed']);
    expect(base.calls).toEqual([['inboxes.private'], ['owner.private_access']]);
  });

  it('asks for a failed fact once, then reports the rule as possible, naming it', async () => {
    const source = objectSource({ 'error.status': 403 }, { 'token.private_scope': UNKNOWN });
    const rule = makeRule({
      when: { all: [leaf.true, { fact: 'token.private_scope', equals: true }, { fact: 'owner.name', exists: true }] },
    });
    const [match, ...rest] = await matchRules([rule], source);
    expect(rest).toEqual([]);
    expect(match).toMatchObject({ outcome: 'possible', unknownFacts: ['token.private_scope', 'owner.name'] });
    expect(source.calls).toEqual([['token.private_scope']]);
  });

  it('stops after maxRounds', async () => {
    const base = objectSource({ 'error.status': 403 }, { 'inboxes.private': true, 'owner.private_access': 'denied' });
    const source = {
      ...base,
      canResolve: (p: FactPath) =>
        base.canResolve(p) && (p !== 'owner.private_access' || base.get('inboxes.private') !== UNKNOWN),
    };
    const rule = makeRule({
      when: {
        all: [leaf.true, { fact: 'inboxes.private', equals: true }, { fact: 'owner.private_access', equals: 'denied' }],
      },
    });
    expect((await matchRules([rule], source, { maxRounds: 1 })).map((m) => m.outcome)).toEqual(['possible']);
    expect(base.calls).toEqual([['inboxes.private']]);
  });
});

describe('matchRules: what is reported, and in which order', () => {
  const rule = (id: string, priority: number, when: unknown, fallback = false): Rule =>
    makeRule({ id, priority, when, fallback });

  it('lists confirmed rules first, then possible ones, each by priority then id', async () => {
    const rules = [
      rule('possible-low', 10, { all: [leaf.true, leaf.unknown] }),
      rule('confirmed-low', 10, leaf.true),
      rule('possible-high', 90, { all: [leaf.true, leaf.unknown] }),
      rule('confirmed-b', 50, leaf.true),
      rule('confirmed-a', 50, leaf.true),
      rule('false', 100, leaf.false),
    ];
    const matches = await matchRules(rules, world());
    expect(matches.map((m) => [m.rule.id, m.outcome])).toEqual([
      ['confirmed-a', 'confirmed'],
      ['confirmed-b', 'confirmed'],
      ['confirmed-low', 'confirmed'],
      ['possible-high', 'possible'],
      ['possible-low', 'possible'],
    ]);
    expect(matches[3]!.unknownFacts).toEqual(['token.private_scope']);
    expect(matches[0]!.unknownFacts).toEqual([]);
  });

  it('does not report a rule that is possible only because nothing about it is known', async () => {
    expect(await matchRules([rule('blind', 50, { all: [leaf.unknown] })], world())).toEqual([]);
  });

  it('returns fallback rules only when no other rule is confirmed or possible', async () => {
    const fallback = rule('fallback', 0, { fact: 'error.status', exists: true }, true);
    expect((await matchRules([fallback, rule('other', 50, leaf.false)], world())).map((m) => m.rule.id)).toEqual([
      'fallback',
    ]);
    expect((await matchRules([fallback, rule('other', 50, leaf.true)], world())).map((m) => m.rule.id)).toEqual([
      'other',
    ]);
    expect(
      (await matchRules([fallback, rule('other', 50, { all: [leaf.true, leaf.unknown] })], world())).map(
        (m) => m.rule.id,
      ),
    ).toEqual(['other']);
  });

  it('does not resolve facts for fallback rules when another rule matched', async () => {
    const source = objectSource({ 'error.status': 403 }, { 'me.status': 200 });
    const fallback = rule('fallback', 0, { all: [leaf.true, { fact: 'me.status', equals: 200 }] }, true);
    await matchRules([fallback, rule('other', 50, leaf.true)], source);
    expect(source.calls).toEqual([]);
    expect((await matchRules([fallback], source)).map((m) => m.outcome)).toEqual(['confirmed']);
    expect(source.calls).toEqual([['me.status']]);
  });
});
