import { frontError, json, rateLimitHeaders, startStubServer, type StubServer } from '../front/helpers/stub-server';
import { runCli } from './helpers';

/** `front-why audit` against a Front stand-in whose teammate list holds an ID no request path may carry. */

const TOKEN = 'audit-test-token-0123456789';
let server: StubServer;

beforeEach(async () => {
  server = await startStubServer();
});

afterEach(async () => {
  await server.close();
});

function scriptFront(): void {
  const headers = rateLimitHeaders(100, 90);
  server
    .on('/me', json(200, { id: 'cmp_1', name: 'Acme' }, headers))
    .on(
      '/teammates',
      json(
        200,
        {
          _results: [
            { id: 'tea_../../x', first_name: 'Mallory', last_name: 'Path', email: 'mallory@acme.test' },
            { id: 'tea_1', first_name: 'Ada', last_name: 'Moreno', email: 'ada@acme.test' },
            { id: 'tea_2', first_name: 'Bruno', last_name: 'Keller', email: 'bruno@acme.test' },
          ],
        },
        headers,
      ),
    )
    .on('/teammates/tea_1/private_inboxes', json(200, { _results: [] }, headers))
    .on(
      '/teammates/tea_2/private_inboxes',
      frontError(403, 'Forbidden', 'You do not have access to the resources of this teammate', headers),
    );
}

const env = () => ({ FRONT_API_TOKEN: TOKEN, FRONT_API_BASE_URL: server.url });

test('a teammate with a hostile ID is skipped with a note; the others are checked and the audit succeeds', async () => {
  scriptFront();
  const result = await runCli(['audit'], { env: env() });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('Teammates checked: 2 of 3');
  expect(result.stdout).toContain('is OFF for 1:\n  - Bruno Keller <bruno@acme.test>');
  expect(result.stdout).toContain(
    'Skipped 1 teammate(s):\n  - Mallory Path <mallory@acme.test>: Front listed an ID that is not a teammate ID, so nothing was asked about it: "tea_../../x" is not a teammate ID',
  );
  // Nothing was sent for the skipped teammate.
  server.assertAllUsed();
});

test('--json lists the skipped teammate with its note', async () => {
  scriptFront();
  const result = await runCli(['audit', '--json'], { env: env() });
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as {
    teammates: { total: number; notChecked: { id: string }[]; skipped: { id: string; note: string }[] };
  };
  expect(report.teammates.total).toBe(3);
  expect(report.teammates.notChecked.map((t) => t.id)).toEqual(['tea_../../x']);
  expect(report.teammates.skipped).toEqual([
    {
      id: 'tea_../../x',
      label: 'Mallory Path <mallory@acme.test>',
      note: expect.stringMatching(/^Front listed an ID that is not a teammate ID/),
    },
  ]);
  server.assertAllUsed();
});
