import { ConfigError, loadConfig } from '../src/config';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('SLACK_API_URL: the bot token goes there, so the Front base URL rule applies', () => {
  test.each(['http://slack.example.com/api/', 'http://10.0.0.5/api/', 'ftp://slack.example.com/api/'])(
    'refuses %s',
    (url) => {
      const found = problems({ SLACK_API_URL: url });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^SLACK_API_URL the Slack API URL .* must use https/);
      expect(found[0]).toContain('leave it unset for https://slack.com/api/');
    },
  );

  test('refuses credentials in the URL without echoing them', () => {
    const found = problems({ SLACK_API_URL: 'https://bot:xoxb-secret@slack.example.com/api/' });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('must not contain a user name or password');
    expect(found[0]).not.toContain('xoxb-secret');
  });

  test.each([
    ['https://slack.example.com/api', 'https://slack.example.com/api/'],
    ['http://127.0.0.1:4100/api/', 'http://127.0.0.1:4100/api/'],
    ['http://localhost:4100/api', 'http://localhost:4100/api/'],
  ])('accepts %s as %s (https, or loopback for a local stand-in)', (url, expected) => {
    expect(loadConfig({ SLACK_API_URL: url }).SLACK_API_URL).toBe(expected);
  });

  test('unset means Slack itself', () => {
    expect(loadConfig({}).SLACK_API_URL).toBeUndefined();
  });
});

test('FRONT_API_BASE_URL keeps its own wording', () => {
  expect(problems({ FRONT_API_BASE_URL: 'http://api.example.com' })[0]).toMatch(
    /^FRONT_API_BASE_URL the Front base URL http:\/\/api\.example\.com\/ must use https/,
  );
});

test('watch settings: defaults, and a wrong value named with its bounds', () => {
  expect(loadConfig({})).toMatchObject({ FRONT_WHY_WATCH_INTERVAL_MS: 60_000, FRONT_WHY_WATCH_DAYS: 7 });
  expect(loadConfig({ FRONT_WHY_WATCH_INTERVAL_MS: '5000', FRONT_WHY_WATCH_DAYS: '14' })).toMatchObject({
    FRONT_WHY_WATCH_INTERVAL_MS: 5_000,
    FRONT_WHY_WATCH_DAYS: 14,
  });
  expect(problems({ FRONT_WHY_WATCH_INTERVAL_MS: '1h', FRONT_WHY_WATCH_DAYS: '0' })).toEqual([
    'FRONT_WHY_WATCH_INTERVAL_MS must be a whole number of milliseconds from 1000 to 1800000 (got "1h"); leave it unset for 60000',
    'FRONT_WHY_WATCH_DAYS must be a whole number of days from 1 to 90 (got "0"); leave it unset for 7',
  ]);
});

test("the checks' share of a tenant's Front limit and the audit cooldown: defaults, and a wrong value named with its bounds", () => {
  expect(loadConfig({})).toMatchObject({ FRONT_WHY_CHECK_SHARE_PERCENT: 40, FRONT_WHY_AUDIT_COOLDOWN_MS: 600_000 });
  expect(loadConfig({ FRONT_WHY_CHECK_SHARE_PERCENT: '25', FRONT_WHY_AUDIT_COOLDOWN_MS: '120000' })).toMatchObject({
    FRONT_WHY_CHECK_SHARE_PERCENT: 25,
    FRONT_WHY_AUDIT_COOLDOWN_MS: 120_000,
  });
  expect(problems({ FRONT_WHY_CHECK_SHARE_PERCENT: '95', FRONT_WHY_AUDIT_COOLDOWN_MS: '1000' })).toEqual([
    'FRONT_WHY_CHECK_SHARE_PERCENT must be a whole number of percent from 1 to 80 (got "95"); leave it unset for 40',
    'FRONT_WHY_AUDIT_COOLDOWN_MS must be a whole number of milliseconds from 60000 to 86400000 (got "1000"); leave it unset for 600000',
  ]);
});
