import { matchRules, type FactSource } from '../../src/rules';
import { makeRule, objectSource } from './helpers';

/** The same source, with a price on each probe fact. */
function priced(source: ReturnType<typeof objectSource>, costs: Record<string, number>): ReturnType<typeof objectSource> & Required<Pick<FactSource, 'cost'>> {
  return Object.assign(source, { cost: (path: string) => costs[path] ?? 1 });
}

const rule = makeRule({
  when: {
    all: [
      { fact: 'error.status', equals: 403 },
      { any: [{ fact: 'token.private_scope', equals: true }, { fact: 'teammates.access_allowed_count', gt: 0 }] },
    ],
  },
});

describe('cheap facts are learnt before costly ones', () => {
  test('a free claim that decides the rule spares the costly sweep', async () => {
    const source = priced(objectSource({ 'error.status': 403 }, { 'token.private_scope': true, 'teammates.access_allowed_count': 3 }), {
      'token.private_scope': 0,
      'teammates.access_allowed_count': 9,
    });
    const [match] = await matchRules([rule], source);
    expect(match?.outcome).toBe('confirmed');
    expect(source.calls).toEqual([['token.private_scope']]);
  });

  test('when the cheap fact does not decide, the costly one is learnt next', async () => {
    const source = priced(objectSource({ 'error.status': 403 }, { 'token.private_scope': false, 'teammates.access_allowed_count': 3 }), {
      'token.private_scope': 0,
      'teammates.access_allowed_count': 9,
    });
    const [match] = await matchRules([rule], source);
    expect(match?.outcome).toBe('confirmed');
    expect(source.calls).toEqual([['token.private_scope'], ['teammates.access_allowed_count']]);
  });

  test('without prices every needed fact is asked for in one batch', async () => {
    const source = objectSource({ 'error.status': 403 }, { 'token.private_scope': true, 'teammates.access_allowed_count': 3 });
    await matchRules([rule], source);
    expect(source.calls).toHaveLength(1);
    expect(source.calls[0]?.sort()).toEqual(['teammates.access_allowed_count', 'token.private_scope']);
  });
});

describe('once a cause is confirmed', () => {
  test('costly checks for the other rules are skipped', async () => {
    const confirmedCheaply = makeRule({ id: 'cheap', when: { fact: 'token.private_scope', equals: false } });
    const source = priced(objectSource({ 'error.status': 403 }, { 'token.private_scope': false, 'teammates.access_allowed_count': 3 }), {
      'token.private_scope': 0,
      'teammates.access_allowed_count': 9,
    });
    const matches = await matchRules([confirmedCheaply, rule], source);
    expect(matches.map((m) => [m.rule.id, m.outcome])).toEqual([['cheap', 'confirmed'], ['test-rule', 'possible']]);
    expect(source.calls).toEqual([['token.private_scope']]);
  });
});
