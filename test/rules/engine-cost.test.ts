import path from 'node:path';
import type { FactPath } from '../../src/facts';
import { loadRulesOrThrow, matchRules, UNKNOWN, type Condition, type FactSource } from '../../src/rules';
import { makeRule, objectSource } from './helpers';

/** The same source, with a price on each probe fact. */
function priced(
  source: ReturnType<typeof objectSource>,
  costs: Record<string, number>,
): ReturnType<typeof objectSource> & Required<Pick<FactSource, 'cost'>> {
  return Object.assign(source, { cost: (path: string) => costs[path] ?? 1 });
}

const rule = makeRule({
  when: {
    all: [
      { fact: 'error.status', equals: 403 },
      {
        any: [
          { fact: 'token.private_scope', equals: true },
          { fact: 'teammates.access_allowed_count', gt: 0 },
        ],
      },
    ],
  },
});

describe('cheap facts are learnt before costly ones', () => {
  test('a free claim that decides the rule spares the costly sweep', async () => {
    const source = priced(
      objectSource({ 'error.status': 403 }, { 'token.private_scope': true, 'teammates.access_allowed_count': 3 }),
      {
        'token.private_scope': 0,
        'teammates.access_allowed_count': 9,
      },
    );
    const [match] = await matchRules([rule], source);
    expect(match?.outcome).toBe('confirmed');
    expect(source.calls).toEqual([['token.private_scope']]);
  });

  test('when the cheap fact does not decide, the costly one is learnt next', async () => {
    const source = priced(
      objectSource({ 'error.status': 403 }, { 'token.private_scope': false, 'teammates.access_allowed_count': 3 }),
      {
        'token.private_scope': 0,
        'teammates.access_allowed_count': 9,
      },
    );
    const [match] = await matchRules([rule], source);
    expect(match?.outcome).toBe('confirmed');
    expect(source.calls).toEqual([['token.private_scope'], ['teammates.access_allowed_count']]);
  });

  test('without prices every needed fact is asked for in one batch', async () => {
    const source = objectSource(
      { 'error.status': 403 },
      { 'token.private_scope': true, 'teammates.access_allowed_count': 3 },
    );
    await matchRules([rule], source);
    expect(source.calls).toHaveLength(1);
    expect(source.calls[0]?.sort()).toEqual(['teammates.access_allowed_count', 'token.private_scope']);
  });
});

describe('once a cause is confirmed', () => {
  test('costly checks for the other rules are skipped', async () => {
    const confirmedCheaply = makeRule({ id: 'cheap', when: { fact: 'token.private_scope', equals: false } });
    const source = priced(
      objectSource({ 'error.status': 403 }, { 'token.private_scope': false, 'teammates.access_allowed_count': 3 }),
      {
        'token.private_scope': 0,
        'teammates.access_allowed_count': 9,
      },
    );
    const matches = await matchRules([confirmedCheaply, rule], source);
    expect(matches.map((m) => [m.rule.id, m.outcome])).toEqual([
      ['cheap', 'confirmed'],
      ['test-rule', 'possible'],
    ]);
    expect(source.calls).toEqual([['token.private_scope']]);
  });
});

describe('work per paste', () => {
  /** Counts what the engine asks of the source, by fact. */
  function countingGets(source: FactSource): Record<string, number> {
    const gets: Record<string, number> = {};
    const get = source.get.bind(source);
    source.get = (path) => {
      gets[path] = (gets[path] ?? 0) + 1;
      return get(path);
    };
    return gets;
  }

  test('a condition shared by many rules (a named condition) is tested once, and each fact read once', async () => {
    let tested = 0;
    class CountingRegExp extends RegExp {
      override test(text: string): boolean {
        tested += 1;
        return super.test(text);
      }
    }
    const shared: Condition = {
      fact: 'error.message',
      op: 'matches',
      value: 'not allowed',
      regex: new CountingRegExp('not allowed', 'i'),
    };
    const rules = Array.from({ length: 10 }, (_, i) => ({
      ...makeRule({ id: `r${i}`, when: { fact: 'error.status', exists: true } }),
      when: { all: [shared, { fact: 'token.private_scope', op: 'equals', value: i % 2 === 0 }] } as Condition,
    }));
    const source = objectSource({ 'error.message': 'This agent is not allowed to read the conversation' });
    const gets = countingGets(source);
    const matches = await matchRules(rules, source, { maxRounds: 0 });
    expect(matches.map((m) => m.outcome)).toEqual(Array(10).fill('possible'));
    expect(tested).toBe(1);
    expect(gets).toEqual({ 'error.message': 1, 'token.private_scope': 1 });
  });

  test('the shipped rule set reads each fact of a paste once', async () => {
    const rules = loadRulesOrThrow(path.join(__dirname, '..', '..', 'rules'));
    const source = objectSource({
      'error.status': 403,
      'error.message': 'This agent is not allowed to read the "conversation" with ID: "cnv_1"',
      'input.has_error': true,
    });
    const gets = countingGets(source);
    await matchRules(rules, source, { maxRounds: 0 });
    expect(Object.values(gets).every((n) => n === 1)).toBe(true);
    expect(Object.keys(gets).length).toBeGreaterThan(5);
  });
});

/** The same source, with a stage on each probe fact (1 unless given). */
function staged(
  source: ReturnType<typeof objectSource>,
  stages: Record<string, number>,
): ReturnType<typeof objectSource> & Required<Pick<FactSource, 'stage'>> {
  return Object.assign(source, { stage: (path: string) => stages[path] ?? 1 });
}

describe('a later stage waits for the earlier one', () => {
  // Token refused: the read of the target answered 401, or GET /me did while the target read did not accept the token.
  const tokenRefused = makeRule({
    id: 'refused',
    when: {
      any: [
        { fact: 'conversation.status', equals: 401 },
        { all: [{ fact: 'me.status', equals: 401 }, { not: { fact: 'conversation.status', equals: 403 } }] },
      ],
    },
  });

  test('the earlier answer makes the later check moot: it is never asked', async () => {
    const source = staged(objectSource({}, { 'conversation.status': 403, 'me.status': 200 }), { 'me.status': 2 });
    const matches = await matchRules([tokenRefused], source);
    expect(matches).toEqual([]);
    expect(source.calls).toEqual([['conversation.status']]);
  });

  test('when the earlier answer leaves the rule open, the later check is asked next', async () => {
    const source = staged(objectSource({}, { 'conversation.status': 404, 'me.status': 401 }), { 'me.status': 2 });
    const [match] = await matchRules([tokenRefused], source);
    expect(match?.outcome).toBe('confirmed');
    expect(source.calls).toEqual([['conversation.status'], ['me.status']]);
  });

  test('a later check the rule cannot be decided without goes with the first batch', async () => {
    const needsMe = makeRule({
      id: 'other-token',
      when: {
        all: [
          { fact: 'error.status', equals: 401 },
          { fact: 'me.status', equals: 200 },
        ],
      },
    });
    const source = staged(objectSource({ 'error.status': 401 }, { 'conversation.status': 200, 'me.status': 200 }), {
      'me.status': 2,
    });
    const [match] = await matchRules([tokenRefused, needsMe], source);
    expect(match?.rule.id).toBe('other-token');
    expect(source.calls).toHaveLength(1);
    expect(source.calls[0]?.sort()).toEqual(['conversation.status', 'me.status']);
  });
});

describe('a round that sends nothing', () => {
  test('does not wait for the early first step of a costly check: the next round starts beside it', async () => {
    // Free claims first; the costly sweep is held back, its first step (the teammate list) started early.
    const source = staged(
      priced(
        objectSource(
          { 'error.status': 403 },
          { 'token.private_scope': UNKNOWN, 'conversation.status': 403, 'teammates.access_allowed_count': 3 },
        ),
        { 'token.private_scope': 0, 'conversation.status': 1, 'teammates.access_allowed_count': 9 },
      ),
      { 'token.private_scope': 0 },
    );
    const order: string[] = [];
    let finishList = () => {};
    const listed = new Promise<void>((resolve) => (finishList = resolve));
    const resolve = source.resolve.bind(source);
    Object.assign(source, {
      resolve: async (paths: FactPath[]) => {
        order.push(`resolve ${paths.join(' ')}`);
        await resolve(paths);
        // The read of the conversation comes back only once the list has: both were in flight together.
        if (paths.includes('conversation.status')) finishList();
      },
      prepare: async (paths: FactPath[]) => {
        order.push(`prepare ${paths.join(' ')}`);
        await listed;
      },
    });
    const reproduced = makeRule({
      when: {
        all: [
          { fact: 'conversation.status', equals: 403 },
          {
            any: [
              { fact: 'token.private_scope', equals: true },
              { fact: 'teammates.access_allowed_count', gt: 0 },
            ],
          },
        ],
      },
    });
    const [match] = await matchRules([reproduced], source);
    expect(match?.outcome).toBe('confirmed');
    // Had the free round waited for the list, the list (waiting for the conversation's read) would never finish.
    expect(order.filter((step) => step.startsWith('resolve'))).toEqual([
      'resolve token.private_scope',
      'resolve conversation.status',
      // The claims did not tell (a token without a scopes claim): the sweep decides.
      'resolve teammates.access_allowed_count',
    ]);
    expect(order.findIndex((step) => step.startsWith('prepare'))).toBeLessThan(
      order.indexOf('resolve conversation.status'),
    );
  });
});

describe('several pastes evaluated at once', () => {
  test('one that waits for an early first step still reports after another has started its own rounds', async () => {
    // The claims confirm the rule for free while the costly sweep's first step (the teammate list) is still under
    // way: the evaluation waits for it before reporting, and another paste's evaluation starts meanwhile.
    let finishList = () => {};
    const listed = new Promise<void>((resolve) => (finishList = resolve));
    const waiting = Object.assign(
      priced(
        objectSource({ 'error.status': 403 }, { 'token.private_scope': true, 'teammates.access_allowed_count': 3 }),
        { 'token.private_scope': 0, 'teammates.access_allowed_count': 9 },
      ),
      { prepare: () => listed },
    );
    const rules = [rule];
    const first = matchRules(rules, waiting);
    await new Promise((resolve) => setImmediate(resolve));
    const other = matchRules(
      rules,
      objectSource({ 'error.status': 403 }, { 'token.private_scope': false, 'teammates.access_allowed_count': 0 }),
    );
    finishList();
    const [mine, theirs] = await Promise.all([first, other]);
    expect(mine.map((m) => m.outcome)).toEqual(['confirmed']);
    expect(theirs).toEqual([]);
  });
});
