import { formatLoadError, parseRuleText, type Rule } from '../../src/rules';

/** A valid rule whose `when` and extra lines a test replaces. */
function ruleText(
  options: { when?: string; extra?: string; headline?: string; steps?: string; declares?: string } = {},
): string {
  return [
    'id: unknown',
    '# The rule the schema tests vary.',
    'priority: 40',
    'confidence: medium',
    'when:',
    options.when ?? '  fact: error.status\n  equals: 404',
    `headline: ${options.headline ?? 'Not found'}`,
    'why: It does not exist.',
    options.steps ?? 'steps:\n  agent: [Check the ID.]',
    options.extra ?? '',
    options.declares ?? 'customer_can_fix: false',
  ].join('\n');
}

function errors(text: string): string[] {
  const result = parseRuleText(text, 'unknown.yml', 'unknown');
  return result.ok ? [] : result.errors.map(formatLoadError);
}

function parse(text: string): Rule {
  const result = parseRuleText(text, 'unknown.yml', 'unknown');
  if (!result.ok) throw new Error(result.errors.map(formatLoadError).join('\n'));
  return result.rules[0] as Rule;
}

describe('rule schema: the rule', () => {
  it('accepts the base rule', () => {
    expect(errors(ruleText())).toEqual([]);
  });

  it('names each missing required key', () => {
    expect(errors('id: unknown\n')).toEqual([
      'unknown.yml:1:1 rule=unknown: missing required key "headline"',
      'unknown.yml:1:1 rule=unknown: missing required key "why"',
      'unknown.yml:1:1 rule=unknown: missing required key "steps"',
      'unknown.yml:1:1 rule=unknown: missing required key "customer_can_fix": true when the customer can fix the cause on their side (the answer then offers "Watch until fixed"), false otherwise',
      'unknown.yml:1:1 rule=unknown: missing required key "when" (or "variants", each with its own "when")',
      'unknown.yml:1:1 rule=unknown: missing required key "priority"',
      'unknown.yml:1:1 rule=unknown: missing required key "confidence"',
    ]);
  });

  it('checks id format and the file name', () => {
    expect(errors(ruleText().replace('id: unknown', 'id: R_1'))).toEqual([
      'unknown.yml:1:1 rule=unknown: id is lowercase letters, digits and dashes',
      'unknown.yml:1:1 rule=unknown: id must equal the file name without .yml ("unknown")',
    ]);
  });

  it('bounds priority and types confidence', () => {
    const text = ruleText().replace('priority: 40', 'priority: 101').replace('confidence: medium', 'confidence: sure');
    expect(errors(text)).toEqual([
      'unknown.yml:3:1 rule=unknown: priority is 0–100',
      'unknown.yml:4:1 rule=unknown: "confidence" is "sure"; expected one of "high", "medium", "low"',
    ]);
  });

  it('reports a wrong type in words', () => {
    expect(errors(ruleText().replace('priority: 40', 'priority: high'))).toEqual([
      'unknown.yml:3:1 rule=unknown: "priority" must be a number, got string "high"',
    ]);
  });

  it('keeps the headline to one line and needs at least one step', () => {
    const text = ruleText({ headline: '"two\\nlines"', steps: 'steps:\n  agent: []' });
    expect(errors(text)).toEqual([
      'unknown.yml:8:1 rule=unknown: headline is one line',
      'unknown.yml:10:1 rule=unknown: at least one audience (agent, teammate, admin) needs a step',
    ]);
  });

  it('wants https links and checks templates in link titles and steps', () => {
    const extra = 'links:\n  - title: "About {{owner.nam}}"\n    url: http://example.com';
    const text = ruleText({ extra, steps: 'steps:\n  admin:\n    - "Ask {{owner.name}}"\n    - "{{token}}"' });
    expect(errors(text)).toEqual([
      'unknown.yml:13:7 rule=unknown: unknown fact path "{{token}}" in text',
      'unknown.yml:15:5 rule=unknown: unknown fact path "{{owner.nam}}" in text; did you mean "owner.name"?',
      'unknown.yml:16:5 rule=unknown: links need an https:// URL',
    ]);
  });

  it('reads YAML with the core schema: a date-like value stays text', () => {
    const rule = parse(ruleText({ when: '  fact: error.message\n  equals: 2024-01-01' }));
    expect(rule.when).toEqual({ fact: 'error.message', op: 'equals', value: '2024-01-01' });
  });

  it('reports a YAML syntax error at its mark', () => {
    expect(errors('id: unknown\npriority: [unclosed\n')).toEqual([
      'unknown.yml:3:1 rule=unknown: YAML: unexpected end of the stream within a flow collection',
    ]);
  });

  it('reports a duplicate key as a YAML error', () => {
    expect(errors('id: unknown\nid: unknown\n')).toEqual([
      'unknown.yml:2:1 rule=unknown: YAML: duplicated mapping key',
    ]);
  });

  it('rejects a file that is not a mapping', () => {
    expect(errors('- a\n- b\n')).toEqual([
      'unknown.yml:1:1 rule=unknown: the rule must be a mapping (key: value lines), got a list',
    ]);
  });
});

describe('rule schema: conditions', () => {
  const when = (body: string) => errors(ruleText({ when: body }));

  it('wants exactly one operator next to a fact', () => {
    expect(when('  fact: error.status')).toEqual([
      'unknown.yml:6:3 rule=unknown: fact "error.status" needs one operator: equals, in, matches, exists, includes, gt, lt',
    ]);
    expect(when('  fact: error.status\n  equals: 404\n  in: [403]')).toEqual([
      'unknown.yml:8:3 rule=unknown: one operator per condition ("equals" and "in"); combine conditions with "all"',
    ]);
    expect(when('  equals: 404')).toEqual(['unknown.yml:6:3 rule=unknown: "equals" needs a "fact" next to it']);
    expect(when('  {}')).toEqual([
      'unknown.yml:5:1 rule=unknown: a condition needs "fact" with one operator, or "all", "any" or "not"',
    ]);
  });

  it('keeps all/any/not alone in their condition', () => {
    expect(when('  all:\n    - { fact: error.status, equals: 404 }\n  fact: error.status')).toEqual([
      'unknown.yml:8:3 rule=unknown: "fact" cannot sit next to "all" in one condition; nest it in its own list entry',
    ]);
    expect(when('  all: []')).toEqual(['unknown.yml:6:3 rule=unknown: all needs at least one condition']);
    expect(when('  not: [{ fact: error.status, equals: 404 }]')).toEqual([
      'unknown.yml:6:3 rule=unknown: a condition is a mapping ({ fact, <operator> }, or all / any / not); to require every condition of a list, put it under "all:"',
    ]);
    expect(when('  all: [403]')).toEqual([
      'unknown.yml:6:9 rule=unknown: a condition is a mapping ({ fact, <operator> }, or all / any / not)',
    ]);
  });

  it('checks operand types against the fact type', () => {
    expect(when("  fact: error.status\n  equals: '404'")).toEqual([
      'unknown.yml:7:3 rule=unknown: "error.status" is a number, so equals needs a number, got string "404"',
    ]);
    expect(when("  fact: error.status\n  in: [404, '410']")).toEqual([
      'unknown.yml:7:13 rule=unknown: "error.status" is a number, so in needs a number, got string "410"',
    ]);
    expect(when('  fact: input.has_error\n  equals: yes')).toEqual([
      'unknown.yml:7:3 rule=unknown: "input.has_error" is a boolean, so equals needs a boolean, got string "yes"',
    ]);
    expect(when('  fact: input.ids\n  equals: cnv_1')).toEqual([
      'unknown.yml:7:3 rule=unknown: "input.ids" is a list: use includes (one value) or matches, not equals',
    ]);
    expect(when('  fact: input.ids\n  in: [cnv_1]')).toEqual([
      'unknown.yml:7:3 rule=unknown: "input.ids" is a list: use includes (one value) or matches, not in',
    ]);
    expect(when('  fact: error.message\n  includes: x')).toEqual([
      'unknown.yml:7:3 rule=unknown: includes needs a list fact; "error.message" is a string (use equals)',
    ]);
    expect(when('  fact: error.title\n  lt: 3')).toEqual([
      'unknown.yml:7:3 rule=unknown: lt needs a number fact; "error.title" is a string',
    ]);
    expect(when('  fact: error.status\n  exists: 1')).toEqual([
      'unknown.yml:7:3 rule=unknown: "exists" must be true or false, got number 1',
    ]);
  });

  it('accepts every operator on a fact of the right type', () => {
    const rule = parse(
      ruleText({
        when: [
          '  all:',
          '    - { fact: error.status, in: [403, 404] }',
          '    - { fact: input.ids, includes: cnv_1 }',
          "    - { fact: input.ids, matches: '^cnv_' }",
          '    - { fact: error.rate_limit.retry_after, gt: 0 }',
          '    - { fact: error.details, exists: false }',
          '    - { fact: input.has_error, equals: true }',
        ].join('\n'),
      }),
    );
    expect((rule.when as { all: { op: string }[] }).all.map((c) => c.op)).toEqual([
      'in',
      'includes',
      'matches',
      'gt',
      'exists',
      'equals',
    ]);
  });
});

describe('rule schema: terms, a wording written once', () => {
  const terms = 'terms:\n  preference: Allow access to my individual resources via the API';

  it('puts each term in place of {{term.NAME}} in the headline, why, steps and link titles', () => {
    const rule = parse(
      ruleText({
        headline: `'"{{term.preference}}" is off'`,
        steps: 'steps:\n  admin: [\'Turn on "{{term.preference}}".\']',
        extra: `${terms}\nlinks:\n  - { title: 'About {{term.preference}}', url: 'https://help.front.com/x' }`,
      }),
    );
    expect(rule.headline[0]?.text).toBe('"Allow access to my individual resources via the API" is off');
    expect(rule.steps.admin[0]?.text).toBe('Turn on "Allow access to my individual resources via the API".');
    expect(rule.links[0]?.title).toBe('About Allow access to my individual resources via the API');
  });

  it('says where an unknown term is used, once, naming the terms the file defines', () => {
    expect(errors(ruleText({ headline: `'"{{term.preferense}}" is off'`, extra: terms }))).toEqual([
      'unknown.yml:8:1 rule=unknown: unknown term "preferense" (terms defined in this file: preference)',
    ]);
    expect(errors(ruleText({ headline: `'{{term.preference}}'` }))).toEqual([
      'unknown.yml:8:1 rule=unknown: unknown term "preference" (this file defines no terms)',
    ]);
  });

  it('refuses terms that are not a mapping of names to text', () => {
    expect(errors(ruleText({ extra: 'terms: [a, b]' }))).toEqual([
      'unknown.yml:12:1 rule=unknown: terms is a mapping of names to text, e.g. "preference: Allow …"',
    ]);
    expect(errors(ruleText({ extra: 'terms:\n  preference: 3' }))).toEqual([
      'unknown.yml:13:3 rule=unknown: term "preference" must be non-empty text',
    ]);
  });
});
