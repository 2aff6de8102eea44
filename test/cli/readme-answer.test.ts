import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './helpers';

/**
 * README's answer example is the seed case's first reply from a real run of the demo, not text written by hand:
 * `npx front-why demo --only original_report --slack` prints it, and this keeps the README equal to that output.
 */
test('the README shows the seed case answer exactly as the demo prints it', async () => {
  const result = await runCli(['demo', '--only', 'original_report', '--slack']);
  expect(result.code).toBe(0);
  const lines = result.stdout.split('\n');
  const from = lines.findIndex((l) => l.startsWith('(customer token ')) + 2;
  const to = lines.findIndex((l) => l.startsWith('✓ expected'));
  const reply = lines.slice(from, to).join('\n').trim();
  expect(reply).toContain('[Check again]');

  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The answer'));
  const block = /```\n([\s\S]*?)\n```/.exec(section)?.[1];
  expect(block).toBe(reply);
});
