import fs from 'node:fs';
import path from 'node:path';
import { runCli } from './helpers';

const VERSION = (JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string })
  .version;

describe('--help and --version', () => {
  const topics = [
    ['explain'],
    ['diagnose'],
    ['audit'],
    ['activity'],
    ['stats'],
    ['rules'],
    ['rules', 'lint'],
    ['rules', 'test'],
    ['rules', 'facts'],
    ['rules', 'reload'],
    ['tenants'],
    ['tenants', 'add'],
    ['tenants', 'list'],
    ['tenants', 'check'],
    ['tenants', 'remove'],
    ['tenants', 'rotate-key'],
    ['serve'],
    ['sandbox'],
    ['demo'],
  ];

  test.each(topics.map((t) => [t.join(' '), t]))(
    'front-why %s --help: usage and examples on stdout, exit 0',
    async (name, words) => {
      // No configuration at all: help must not need any (nor open a store, nor start a server).
      const result = await runCli([...words, '--help']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith(`usage: front-why ${name}`)).toBe(true);
      expect(result.stdout).toMatch(/^examples?:\n {2}.*front-why /m);
      expect((await runCli([...words, '-h'])).stdout).toBe(result.stdout);
    },
  );

  test('help before or after other arguments, and `front-why help <command>`', async () => {
    const explain = await runCli(['explain', '--help']);
    expect((await runCli(['explain', 'some paste', '--json', '--help'])).stdout).toBe(explain.stdout);
    expect((await runCli(['help', 'explain'])).stdout).toBe(explain.stdout);
    expect((await runCli(['help', 'tenants', 'add'])).stdout).toBe((await runCli(['tenants', 'add', '--help'])).stdout);
  });

  test("`audit-log`, the activity log's old name, still answers --help and `help`, with a note on stderr", async () => {
    const activity = await runCli(['activity', '--help']);
    const note = 'front-why: `audit-log` is now `activity`; the old name still works.\n';
    expect(await runCli(['audit-log', '--help'])).toEqual({ ...activity, stderr: note });
    expect(await runCli(['help', 'audit-log'])).toEqual({ ...activity, stderr: note });
    expect((await runCli(['--help'])).stdout).not.toMatch(/audit-log/);
  });

  test('the overview lists every command and says how to get more', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const name of [
      'explain',
      'diagnose',
      'audit',
      'rules',
      'tenants',
      'activity',
      'stats',
      'serve',
      'sandbox',
      'demo',
    ])
      expect(result.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
    expect(result.stdout).toContain('front-why <command> --help');
    expect(result.stdout).toContain('--version');
  });

  test('--version prints the version from package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    }
  });
});

describe('unknown flags', () => {
  test.each([
    [['explain', '--bogus', 'x'], 'explain'],
    [['diagnose', '--bogus'], 'diagnose'],
    [['audit', '--bogus'], 'audit'],
    [['activity', '--bogus'], 'activity'],
    [['audit-log', '--bogus'], 'activity'],
    [['tenants', 'add', 'acme', '--bogus'], 'tenants add'],
    [['tenants', 'list', '--bogus'], 'tenants list'],
    [['demo', '--bogus'], 'demo'],
    [['serve', '--bogus'], 'serve'],
    [['rules', 'lint', '--bogus'], 'rules lint'],
    [['sandbox', '--bogus'], 'sandbox'],
  ])('%j: exit 2, the flag named, a pointer to --help', async (args, topic) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/(unknown option|unexpected argument) "--bogus"/);
    expect(result.stderr).toContain(`Run \`front-why ${topic} --help\` for usage and examples.`);
  });

  test('an unknown flag or command at the top', async () => {
    const flag = await runCli(['--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option "--bogus"/);
    expect(flag.stderr).toContain('front-why <command> --help');
  });
});
