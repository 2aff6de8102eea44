import { ruleFileCount } from '../../src/rules';
import { writeOperatorCause } from '../rules/operator-cause';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresHarness, probePostgres, testPostgresUrl } from '../store/harness';
import { ADMIN, startHarness, waitFor, type Harness } from './helpers/harness';

/**
 * A reload asked on one replica reaches the others through the store, each all or nothing: a replica whose rule
 * files are broken keeps its rules and says why, and the admin who asked reads which replica that was.
 */

const url = testPostgresUrl();
const probe = probePostgres(url);
const RULES = path.join(__dirname, '../../rules');

(probe.ok ? describe : describe.skip)('reload across replicas (PostgreSQL)', () => {
  let pg: PostgresHarness;
  let a: Harness;
  let b: Harness;
  let dirA: string;
  let dirB: string;

  beforeAll(async () => {
    dirA = mkdtempSync(path.join(tmpdir(), 'front-why-rules-a-'));
    dirB = mkdtempSync(path.join(tmpdir(), 'front-why-rules-b-'));
    cpSync(RULES, dirA, { recursive: true });
    cpSync(RULES, dirB, { recursive: true });
    pg = await PostgresHarness.create(url);
    a = await startHarness({ env: { FRONT_WHY_DB: pg.location, FRONT_WHY_RULES_DIR: dirA } });
    b = await startHarness({ replicaOf: a, env: { FRONT_WHY_RULES_DIR: dirB } });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await pg?.dispose();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  });

  test('a replica that cannot load keeps its rules, and the admin is told which and why', async () => {
    const serving = b.app.rules;
    const file = path.join(dirB, 'rate-limited.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('priority:', 'priorty:'));
    writeOperatorCause(dirA, {
      id: 'acme-proxy-blocked',
      wording: 'Blocked by the Acme proxy',
      customerCanFix: false,
      headline: 'The Acme proxy blocked the request',
    });

    const reply = await a.command('reload', { user: ADMIN });
    const told = await waitFor(
      () => a.slack.calls.find((c) => c.method === 'response_url' && c.path === new URL(reply.responseUrl).pathname),
      'the answer to the admin',
    );
    await Promise.all([a.idle(), b.idle()]);
    const loaded = ruleFileCount(a.app.rules);
    expect(loaded).toBe(ruleFileCount(serving) + 1);
    // b never swapped its set: the broken load changed nothing there.
    expect(b.app.rules).toBe(serving);
    const text = JSON.stringify(told.args);
    expect(text).toContain(
      `1 of 2 replicas now serve ${loaded} rule files; replica ${b.app.replicaId} kept its ${ruleFileCount(serving)} rule files: `,
    );
    expect(text).toMatch(/rate-limited\.yml:\d+:\d+ rule=rate-limited: /);
  });
});
