import path from 'node:path';
import { formatExampleFailure, loadRulesOrThrow, runRuleExamples } from '../../src/rules';
import { exampleSource, makeRule } from './helpers';

const forbidden = '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\""}}';

const rule = makeRule({
  id: 'private-403',
  summary: '{{owner.name|The owner}} has API access turned off',
  when: {
    all: [
      { fact: 'error.status', equals: 403 },
      { fact: 'error.message', matches: 'not allowed' },
      { fact: 'owner.private_access', equals: 'denied' },
    ],
  },
  examples: {
    match: [
      { paste: forbidden, facts: { 'owner.private_access': 'denied', 'owner.name': 'Ada' }, summary_contains: 'Ada has' },
      { paste: forbidden },
      { paste: forbidden, expect: 'possible' },
      { paste: forbidden, facts: { 'owner.private_access': 'denied' }, expect: 'possible' },
      { paste: '{"error.status": 404}' },
      { paste: forbidden, facts: { 'owner.private_access': 'denied' }, summary_contains: 'Grace' },
    ],
    no_match: [{ paste: '{"error.status": 404}' }, { paste: forbidden, facts: { 'owner.private_access': 'denied' } }, { paste: forbidden }],
  },
});

describe('runRuleExamples', () => {
  it('names each failing example by its index, with what was expected and what happened', async () => {
    expect(await runRuleExamples([rule], exampleSource)).toEqual([
      { ruleId: 'private-403', which: 'match[1]', message: 'expected confirmed, got possible (unknown: owner.private_access)' },
      { ruleId: 'private-403', which: 'match[3]', message: 'expected possible, got confirmed' },
      { ruleId: 'private-403', which: 'match[4]', message: 'expected confirmed, got no match' },
      { ruleId: 'private-403', which: 'match[5]', message: 'summary "The owner has API access turned off" does not contain "Grace"' },
      { ruleId: 'private-403', which: 'no_match[1]', message: 'expected no match, got confirmed' },
      { ruleId: 'private-403', which: 'no_match[2]', message: 'expected no match, got possible (unknown: owner.private_access)' },
    ]);
  });

  it('turns a source that throws into a failure of that example only', async () => {
    const failures = await runRuleExamples([rule], (paste, facts) => {
      if (paste.includes('404')) throw new Error('parser exploded');
      return exampleSource(paste, facts);
    });
    expect(failures.filter((f) => f.message.startsWith('could not run'))).toEqual([
      { ruleId: 'private-403', which: 'match[4]', message: 'could not run: parser exploded' },
      { ruleId: 'private-403', which: 'no_match[0]', message: 'could not run: parser exploded' },
    ]);
  });

  it('runs a fallback rule on its own, so its examples can match', async () => {
    const fallback = makeRule({ id: 'fb', fallback: true, when: { fact: 'input.has_error', equals: true }, examples: { match: [{ paste: '{"input.has_error": true}' }] } });
    expect(await runRuleExamples([fallback], exampleSource)).toEqual([]);
  });

  it('passes every example of the valid fixture rules', async () => {
    const rules = loadRulesOrThrow(path.join(__dirname, '..', 'fixtures', 'rules-valid'));
    expect(await runRuleExamples(rules, exampleSource)).toEqual([]);
  });
});

describe('formatExampleFailure', () => {
  const failure = { ruleId: 'x', which: 'match[2]', message: 'expected confirmed, got possible' };

  it('names the file when given the rules folder, relative to the working directory when under it', () => {
    expect(formatExampleFailure(failure, 'rules/')).toBe('rules/x.yml: match[2]: expected confirmed, got possible');
    expect(formatExampleFailure(failure, path.join(process.cwd(), 'rules'))).toBe('rules/x.yml: match[2]: expected confirmed, got possible');
  });

  it('names the rule otherwise', () => {
    expect(formatExampleFailure(failure)).toBe('rule=x: match[2]: expected confirmed, got possible');
  });
});
