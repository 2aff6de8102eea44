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

test("the checks' share of a tenant's Front limit, the audit cooldown and the teammates map's TTL: defaults, and a wrong value named with its bounds", () => {
  expect(loadConfig({})).toMatchObject({
    FRONT_WHY_CHECK_SHARE_PERCENT: 40,
    FRONT_WHY_AUDIT_COOLDOWN_MS: 600_000,
    FRONT_WHY_TEAMMATES_TTL: 86_400_000,
  });
  expect(loadConfig({ FRONT_WHY_TEAMMATES_TTL: '3600000' }).FRONT_WHY_TEAMMATES_TTL).toBe(3_600_000);
  expect(problems({ FRONT_WHY_TEAMMATES_TTL: '24h' })).toEqual([
    'FRONT_WHY_TEAMMATES_TTL must be a whole number of milliseconds from 0 to 2592000000 (got "24h"); leave it unset for 86400000',
  ]);
  expect(loadConfig({ FRONT_WHY_CHECK_SHARE_PERCENT: '25', FRONT_WHY_AUDIT_COOLDOWN_MS: '120000' })).toMatchObject({
    FRONT_WHY_CHECK_SHARE_PERCENT: 25,
    FRONT_WHY_AUDIT_COOLDOWN_MS: 120_000,
  });
  expect(problems({ FRONT_WHY_CHECK_SHARE_PERCENT: '95', FRONT_WHY_AUDIT_COOLDOWN_MS: '1000' })).toEqual([
    'FRONT_WHY_CHECK_SHARE_PERCENT must be a whole number of percent from 1 to 80 (got "95"); leave it unset for 40',
    'FRONT_WHY_AUDIT_COOLDOWN_MS must be a whole number of milliseconds from 60000 to 86400000 (got "1000"); leave it unset for 600000',
  ]);
});

describe('the metrics port: loopback by default, beyond it only with a token', () => {
  test('defaults: port 9464 on 127.0.0.1, no token', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ FRONT_WHY_METRICS_PORT: 9464, FRONT_WHY_METRICS_HOST: '127.0.0.1' });
    expect(config.FRONT_WHY_METRICS_TOKEN).toBeUndefined();
  });

  test('a port that is not one is named with the fix', () => {
    expect(problems({ FRONT_WHY_METRICS_PORT: '99999' })).toEqual([
      'FRONT_WHY_METRICS_PORT must be a port number from 0 to 65535 (got "99999"); 0 picks a free port',
    ]);
  });

  test('a host name instead of an address is refused', () => {
    expect(problems({ FRONT_WHY_METRICS_HOST: 'metrics.example.com' })).toEqual([
      'FRONT_WHY_METRICS_HOST must be an IP address of this host to listen on, or localhost (got "metrics.example.com"): 127.0.0.1 serves this host only, 0.0.0.0 every interface',
    ]);
  });

  test.each(['0.0.0.0', '10.1.2.3', '::'])('%s without a token is refused, naming both variables', (host) => {
    const found = problems({ FRONT_WHY_METRICS_HOST: host });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^FRONT_WHY_METRICS_HOST is .*, beyond this host, so set FRONT_WHY_METRICS_TOKEN too/);
  });

  test.each(['127.0.0.1', '127.0.0.2', '::1', 'localhost'])('%s needs no token', (host) => {
    expect(loadConfig({ FRONT_WHY_METRICS_HOST: host }).FRONT_WHY_METRICS_HOST).toBe(host);
  });

  test('beyond loopback with a token is accepted', () => {
    const token = 'a'.repeat(16);
    expect(loadConfig({ FRONT_WHY_METRICS_HOST: '0.0.0.0', FRONT_WHY_METRICS_TOKEN: token })).toMatchObject({
      FRONT_WHY_METRICS_HOST: '0.0.0.0',
      FRONT_WHY_METRICS_TOKEN: token,
    });
  });

  test.each(['short-token', 'sixteen chars with spaces'])(
    'a weak or unsendable token is refused without echoing it',
    (token) => {
      const found = problems({ FRONT_WHY_METRICS_TOKEN: token });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^FRONT_WHY_METRICS_TOKEN must be at least 16 characters/);
      expect(found[0]).not.toContain(token);
    },
  );
});
