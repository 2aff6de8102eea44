import { formatLoadError, parseRuleText, type Rule } from '../../src/rules';

/** A valid rule whose `when` and extra lines a test replaces. */
function ruleText(options: { when?: string; extra?: string; examples?: string; summary?: string; steps?: string } = {}): string {
  return [
    'id: r',
    'cause: resource_not_found',
    'priority: 40',
    'confidence: medium',
    'when:',
    options.when ?? '  fact: error.status\n  equals: 404',
    `summary: ${options.summary ?? 'Not found'}`,
    'explanation: It does not exist.',
    options.steps ?? 'steps:\n  agent: [Check the ID.]',
    'examples:',
    options.examples ?? "  match:\n    - paste: '{}'",
    options.extra ?? '',
  ].join('\n');
}

function errors(text: string): string[] {
  const result = parseRuleText(text, 'r.yml', 'r');
  return result.ok ? [] : result.errors.map(formatLoadError);
}

function parse(text: string): Rule {
  const result = parseRuleText(text, 'r.yml', 'r');
  if (!result.ok) throw new Error(result.errors.map(formatLoadError).join('\n'));
  return result.rule;
}

describe('rule schema: the rule', () => {
  it('accepts the base rule', () => {
    expect(errors(ruleText())).toEqual([]);
  });

  it('names each missing required key', () => {
    expect(errors('id: r\ncause: unknown\n')).toEqual([
      'r.yml:1:1 rule=r: missing required key "priority"',
      'r.yml:1:1 rule=r: missing required key "confidence"',
      'r.yml:1:1 rule=r: missing required key "when"',
      'r.yml:1:1 rule=r: missing required key "summary"',
      'r.yml:1:1 rule=r: missing required key "explanation"',
      'r.yml:1:1 rule=r: missing required key "steps"',
      'r.yml:1:1 rule=r: missing required key "examples"',
    ]);
  });

  it('checks id format and the file name', () => {
    expect(errors(ruleText().replace('id: r', 'id: R_1'))).toEqual([
      'r.yml:1:1 rule=r: id is lowercase letters, digits and dashes',
      'r.yml:1:1 rule=r: id must equal the file name without .yml ("r")',
    ]);
  });

  it('bounds priority and types confidence', () => {
    const text = ruleText().replace('priority: 40', 'priority: 101').replace('confidence: medium', 'confidence: sure');
    expect(errors(text)).toEqual(['r.yml:3:1 rule=r: priority is 0–100', 'r.yml:4:1 rule=r: "confidence" is "sure"; expected one of "high", "medium", "low"']);
  });

  it('reports a wrong type in words', () => {
    expect(errors(ruleText().replace('priority: 40', 'priority: high'))).toEqual(['r.yml:3:1 rule=r: "priority" must be a number, got string "high"']);
  });

  it('keeps the summary to one line and needs at least one step', () => {
    const text = ruleText({ summary: '"two\\nlines"', steps: 'steps:\n  agent: []' });
    expect(errors(text)).toEqual(['r.yml:8:1 rule=r: summary is one line', 'r.yml:10:1 rule=r: at least one audience (agent, teammate, admin) needs a step']);
  });

  it('wants https links and checks templates in link titles and steps', () => {
    const extra = 'links:\n  - title: "About {{owner.nam}}"\n    url: http://example.com';
    const text = ruleText({ extra, steps: 'steps:\n  admin:\n    - "Ask {{owner.name}}"\n    - "{{token}}"' });
    expect(errors(text)).toEqual([
      'r.yml:13:7 rule=r: unknown fact path "{{token}}" in text',
      'r.yml:18:5 rule=r: unknown fact path "{{owner.nam}}" in text; did you mean "owner.name"?',
      'r.yml:19:5 rule=r: links need an https:// URL',
    ]);
  });

  it('reads YAML with the core schema: a date-like value stays text', () => {
    const rule = parse(ruleText({ when: '  fact: error.message\n  equals: 2024-01-01' }));
    expect(rule.when).toEqual({ fact: 'error.message', op: 'equals', value: '2024-01-01' });
  });

  it('reports a YAML syntax error at its mark', () => {
    expect(errors('id: r\ncause: [unclosed\n')).toEqual(['r.yml:3:1 rule=r: YAML: unexpected end of the stream within a flow collection']);
  });

  it('reports a duplicate key as a YAML error', () => {
    expect(errors('id: r\nid: r\n')).toEqual(['r.yml:2:1 rule=r: YAML: duplicated mapping key']);
  });

  it('rejects a file that is not a mapping', () => {
    expect(errors('- a\n- b\n')).toEqual(['r.yml:1:1 rule=r: the rule must be a mapping (key: value lines), got a list']);
  });
});

describe('rule schema: conditions', () => {
  const when = (body: string) => errors(ruleText({ when: body }));

  it('wants exactly one operator next to a fact', () => {
    expect(when('  fact: error.status')).toEqual(['r.yml:6:3 rule=r: fact "error.status" needs one operator: equals, in, matches, exists, includes, gt, lt']);
    expect(when('  fact: error.status\n  equals: 404\n  in: [403]')).toEqual(['r.yml:8:3 rule=r: one operator per condition ("equals" and "in"); combine conditions with "all"']);
    expect(when('  equals: 404')).toEqual(['r.yml:6:3 rule=r: "equals" needs a "fact" next to it']);
    expect(when('  {}')).toEqual(['r.yml:5:1 rule=r: a condition needs "fact" with one operator, or "all", "any" or "not"']);
  });

  it('keeps all/any/not alone in their condition', () => {
    expect(when('  all:\n    - { fact: error.status, equals: 404 }\n  fact: error.status')).toEqual([
      'r.yml:8:3 rule=r: "fact" cannot sit next to "all" in one condition; nest it in its own list entry',
    ]);
    expect(when('  all: []')).toEqual(['r.yml:6:3 rule=r: all needs at least one condition']);
    expect(when('  not: [{ fact: error.status, equals: 404 }]')).toEqual([
      'r.yml:6:3 rule=r: a condition is a mapping ({ fact, <operator> }, or all / any / not); to require every condition of a list, put it under "all:"',
    ]);
    expect(when('  all: [403]')).toEqual(['r.yml:6:9 rule=r: a condition is a mapping ({ fact, <operator> }, or all / any / not)']);
  });

  it('checks operand types against the fact type', () => {
    expect(when("  fact: error.status\n  equals: '404'")).toEqual(['r.yml:7:3 rule=r: "error.status" is a number, so equals needs a number, got string "404"']);
    expect(when("  fact: error.status\n  in: [404, '410']")).toEqual(['r.yml:7:13 rule=r: "error.status" is a number, so in needs a number, got string "410"']);
    expect(when('  fact: input.has_error\n  equals: yes')).toEqual(['r.yml:7:3 rule=r: "input.has_error" is a boolean, so equals needs a boolean, got string "yes"']);
    expect(when('  fact: input.ids\n  equals: cnv_1')).toEqual(['r.yml:7:3 rule=r: "input.ids" is a list: use includes (one value) or matches, not equals']);
    expect(when('  fact: input.ids\n  in: [cnv_1]')).toEqual(['r.yml:7:3 rule=r: "input.ids" is a list: use includes (one value) or matches, not in']);
    expect(when('  fact: error.message\n  includes: x')).toEqual(['r.yml:7:3 rule=r: includes needs a list fact; "error.message" is a string (use equals)']);
    expect(when('  fact: error.title\n  lt: 3')).toEqual(['r.yml:7:3 rule=r: lt needs a number fact; "error.title" is a string']);
    expect(when('  fact: error.status\n  exists: 1')).toEqual(['r.yml:7:3 rule=r: "exists" must be true or false, got number 1']);
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
    expect((rule.when as { all: { op: string }[] }).all.map((c) => c.op)).toEqual(['in', 'includes', 'matches', 'gt', 'exists', 'equals']);
  });
});

describe('rule schema: examples', () => {
  const examples = (body: string) => errors(ruleText({ examples: body }));

  it('needs at least one match example', () => {
    expect(examples('  match: []')).toEqual(['r.yml:13:3 rule=r: a rule needs at least one match example']);
  });

  it('takes probe facts only, typed as the catalogue says, with null for "checked and absent"', () => {
    expect(
      examples("  match:\n    - paste: ''\n      facts:\n        error.status: 404\n        token.scopes: private\n        owner.name: null"),
    ).toEqual(['r.yml:16:9 rule=r: "error.status" comes from the paste: put it in paste, not facts', 'r.yml:17:9 rule=r: "token.scopes" is a string[], got string "private"']);
    const rule = parse(ruleText({ examples: "  match:\n    - paste: ''\n      facts: { owner.name: null, token.scopes: ['private:*'] }" }));
    const facts = rule.examples.match[0]!.facts;
    expect(Object.keys(facts)).toEqual(['owner.name', 'token.scopes']);
    expect(facts['owner.name']).toBeUndefined();
  });

  it('needs a paste, even an empty one', () => {
    expect(examples('  match:\n    - facts: {}')).toEqual(['r.yml:14:7 rule=r: missing required key "paste"']);
  });
});
