import path from 'node:path';
import {
  formatLoadError,
  loadRulesOrThrow,
  loadRuleTests,
  parseRuleText,
  renderRuleText,
  runRuleExamples,
  type FactValue,
  type Rule,
} from '../../src/rules';
import { ConditionLibrary } from '../../src/rules/conditions';
import { exampleSource, objectSource } from './helpers';

const dir = path.relative(process.cwd(), path.join(__dirname, '..', 'fixtures', 'rules-text'));
const [rule] = loadRulesOrThrow(dir) as [Rule];

function text(state: 'confirmed' | 'possible', facts: Record<string, FactValue> = {}) {
  return renderRuleText(rule, objectSource({ 'error.status': 403, ...facts }), state);
}

describe('conditional text', () => {
  test('a possible answer shows only the lines written for the possible state', () => {
    const shown = text('possible');
    expect(shown.headline).toBe('The teammate who owns the conversation has the preference off');
    expect(shown.why).toBe(
      "Front refuses API tokens on a teammate's private inbox while the preference is off.\n\nThe paste alone cannot tell this from a token without the private scope.",
    );
    expect(shown.steps.agent).toEqual(['Run the live check to decide.']);
    expect(shown.steps.teammate).toEqual(['Turn on "Allow access to my individual resources via the API".']);
  });

  test('a confirmed answer never shows text written for the possible state, and names the owner when known', () => {
    const shown = text('confirmed', {
      'owner.name': 'Bo Kim <bo@x.io>',
      'teammates.access_denied': ['Bo Kim <bo@x.io>'],
      'teammates.access_denied_count': 1,
    });
    expect(shown.headline).toBe('Bo Kim <bo@x.io> has the preference off');
    expect(shown.why).not.toContain('cannot tell');
    expect(shown.why).toContain('Only one teammate has it off: Bo Kim <bo@x.io>.');
    expect(shown.why).not.toContain('Several');
    expect(shown.steps.agent).toEqual(["Ask the customer's admin to turn it on for Bo Kim <bo@x.io>."]);
  });

  test('one teammate or several: counts choose the line', () => {
    const shown = text('confirmed', { 'teammates.access_denied': ['A', 'B'], 'teammates.access_denied_count': 2 });
    expect(shown.why).toContain('Several teammates have it off: A, B.');
    expect(shown.why).not.toContain('Only one');
  });

  test('a line whose condition is unknown is not shown (nothing is claimed that was not checked)', () => {
    // The sweep did not run: its count is unknown, so neither count line shows; the owner is unknown too.
    const shown = text('confirmed');
    expect(shown.why).toBe("Front refuses API tokens on a teammate's private inbox while the preference is off.");
    expect(shown.headline).toBe('The teammate who owns the conversation has the preference off');
  });

  test("the customer's line of what happened is the first that holds, with the owner's name when known", () => {
    const parsed = parseRuleText(
      [
        'id: unknown',
        'customer_can_fix: false',
        'priority: 1',
        'confidence: low',
        'when: {fact: error.status, equals: 403}',
        'headline: h',
        'what_happened:',
        '  - if: possible',
        '    text: Either the preference is off or the token lacks private resources.',
        '  - if: {fact: owner.name, exists: true}',
        "    text: '{{owner.name}} has the preference off.'",
        '  - A teammate has the preference off.',
        'why: w',
        'steps: {teammate: [t]}',
      ].join('\n'),
      'r.yml',
      'unknown',
    );
    if (!parsed.ok) throw new Error(parsed.errors.map(formatLoadError).join('\n'));
    const withLine = parsed.rules[0] as Rule;
    const render = (state: 'confirmed' | 'possible', facts: Record<string, FactValue> = {}) =>
      renderRuleText(withLine, objectSource({ 'error.status': 403, ...facts }), state).whatHappened;
    expect(render('possible')).toBe('Either the preference is off or the token lacks private resources.');
    expect(render('confirmed', { 'owner.name': 'Bo Kim <bo@x.io>' })).toBe('Bo Kim <bo@x.io> has the preference off.');
    // The owner unchecked: that line's condition is unknown, so it is not shown.
    expect(render('confirmed')).toBe('A teammate has the preference off.');
    expect(text('confirmed').whatHappened).toBeUndefined();
  });

  test('tests check the headline of the state they expect', async () => {
    const tests = loadRuleTests(dir, [rule]);
    expect(await runRuleExamples([rule], tests.ok ? tests.tests : [], exampleSource)).toEqual([]);
  });
});

describe('conditional text: load errors', () => {
  const base = (extra: string) =>
    `id: unknown\n# line 2\npriority: 1\nconfidence: low\n${extra}\nwhy: e\nsteps: {agent: [a]}\ncustomer_can_fix: false\n`;
  const errors = (text: string, library = new ConditionLibrary([])) => {
    const result = parseRuleText(text, 'r.yml', 'unknown', library);
    return result.ok ? [] : result.errors.map(formatLoadError);
  };

  test('the state is not a condition of when: it is known only after matching', () => {
    expect(errors(base('when: confirmed\nheadline: s'))).toEqual([
      'r.yml:5:7 rule=unknown: "confirmed" is the diagnosis\'s state, known only once the rule has matched: use it in the "if" of a text line',
    ]);
  });

  test('the last headline line must show always', () => {
    expect(errors(base('when: {fact: error.status, equals: 1}\nheadline:\n  - if: possible\n    text: s'))).toEqual([
      'r.yml:6:1 rule=unknown: the last headline line must have no "if", so that some headline always shows',
    ]);
  });

  test("the customer's line of what happened refuses the agent's words, each at its line", () => {
    const rule = base(
      [
        'when: {fact: error.status, equals: 1}',
        'headline: s',
        'what_happened:',
        '  - if: possible',
        '    text: Either the probe or the scope claim will tell',
        "  - 'Front refused: run GET /me with the tenant''s token'",
      ].join('\n'),
    );
    expect(errors(rule)).toEqual([
      'r.yml:9:5 rule=unknown: "probe" is for the agent, not the customer: say "a check" instead of "probe"',
      'r.yml:10:5 rule=unknown: "tenant" is for the agent, not the customer: "tenant" is the vendor\'s word',
    ]);
  });

  test('the last line of what happened must show always, like the headline', () => {
    expect(
      errors(base('when: {fact: error.status, equals: 1}\nheadline: s\nwhat_happened:\n  - if: possible\n    text: s')),
    ).toEqual([
      'r.yml:7:1 rule=unknown: the last what_happened line must have no "if", so that some line always shows',
    ]);
  });

  test('an unknown name in a line condition points at it, with a suggestion', () => {
    expect(
      errors(base('when: {fact: error.status, equals: 1}\nheadline:\n  - if: confirmd\n    text: s\n  - t')),
    ).toEqual([
      'r.yml:7:9 rule=unknown: unknown condition "confirmd"; did you mean "confirmed"? (named conditions live in rules/conditions/*.yml)',
    ]);
  });

  test("a rule's own condition may not take a shared name", () => {
    const shared = new ConditionLibrary([
      {
        name: 'pasted-403',
        draft: { fact: 'error.status', op: 'equals', value: 403 },
        origin: { file: 'conditions/a.yml', text: 'pasted-403: x\n', path: ['pasted-403'] },
      },
    ]);
    expect(
      errors(
        base('conditions:\n  pasted-403: {fact: error.status, equals: 404}\nwhen: pasted-403\nheadline: s'),
        shared,
      ),
    ).toEqual([
      'r.yml:6:3 rule=unknown: condition "pasted-403" is defined twice; the first is in conditions/a.yml:1. Rename one, or keep one definition',
    ]);
  });
});
