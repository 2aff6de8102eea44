import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { loadRulesOrThrow } from '../../src/rules';
import { NO_FAULTS, SANDBOX_SCENARIOS, type Sandbox } from '../../src/sandbox';
import { testClock, until } from '../front/helpers/test-clock';
import { connectTenant } from '../../src/diagnosis/live';
import { okOutcome, useLiveSandbox } from './helpers';

const rules = loadRulesOrThrow(path.join(__dirname, '../../rules'));

let sandbox: Sandbox;
const { connect } = useLiveSandbox((s) => {
  sandbox = s;
});

describe('each sandbox scenario is decided live', () => {
  test.each(SANDBOX_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    sandbox.setFaults({ ...NO_FAULTS, ...scenario.faults });
    const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live }));
    expect(outcome.diagnoses[0]?.cause).toBe(scenario.expectedCause);
    expect(outcome.diagnoses[0]?.status).toBe('confirmed');
  });
});

describe("the original report's case", () => {
  const scenario = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!;

  test('names the teammate whose preference is off and tells the admin where to turn it on', async () => {
    const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live }));
    const [first] = outcome.diagnoses;
    expect(first?.cause).toBe('teammate_api_access_disabled');
    const text = JSON.stringify(first);
    expect(text).toContain('Bruno Keller');
    expect(first?.steps.admin.join('\n')).toMatch(/Company settings → Teammates/);
    expect(first?.steps.teammate.join('\n')).toMatch(/Allow access to my individual resources via the API/);
    // Nobody else in Acme with the preference on is blamed.
    expect(text).not.toContain('Ada Moreno');
    expect(outcome.diagnoses.map((d) => d.cause)).not.toContain('token_missing_private_scope');
  });

  test('is decided within 4 requests cold, takes 10% of its Starter minute, and a repeat checks only the teammates left', async () => {
    const connection = connect(scenario.tokenName);
    const cold = okOutcome(await diagnose(scenario.input, { rules, live: connection.live }));
    expect(cold.callsToDecide).toBeLessThanOrEqual(4);
    // Every request counted, the teammate checks too: 5 of Starter's 50 a minute (the conversation, the teammate list
    // and 3 of the 5 teammates; not the conversation's inboxes, which Front refuses in the same words).
    expect(cold.calls).toBe(5);
    expect(sandbox.stats().total).toBe(cold.calls);
    expect(sandbox.stats().byPath['/conversations/cnv_yo1kg5q/inboxes']).toBeUndefined();
    expect(cold.diagnoses[0]?.owner).toMatchObject({ how: 'unfinished', checked: 3, total: 5 });

    // A repeat soon after: the conversation is read again (it must be seen as it is now), the answers the first had
    // cost nothing, and the other 2 teammates are checked: the seed's two with the preference off (Bruno and
    // Dmitri) named, since the whole company was checked.
    sandbox.resetStats();
    const warm = okOutcome(await diagnose(scenario.input, { rules, live: connection.live }));
    expect(warm.diagnoses[0]?.cause).toBe('teammate_api_access_disabled');
    expect(warm.diagnoses[0]?.owner).toMatchObject({ how: 'candidates', checked: 5, total: 5 });
    expect(warm.calls).toBe(3);
    expect(sandbox.stats().total).toBe(3);
    expect(Object.keys(sandbox.stats().byPath).filter((p) => p.endsWith('/private_inboxes'))).toHaveLength(2);
  });

  test('says access works now once the teammate turns the preference on', async () => {
    const connection = connect(scenario.tokenName);
    sandbox.setApiAccess('tea_6r55b', true);
    try {
      const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connection.live }));
      expect(outcome.diagnoses[0]?.cause).toBe('not_reproducible');
    } finally {
      sandbox.setApiAccess('tea_6r55b', false);
    }
  });
});

describe('without a token the same paste stays an honest either/or', () => {
  test('both causes are possible, the likelier first, each naming the checks that decide', async () => {
    const scenario = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!;
    const outcome = okOutcome(await diagnose(scenario.input, { rules }));
    const causes = outcome.diagnoses.map((d) => d.cause);
    expect(causes.slice(0, 2).sort()).toEqual(['teammate_api_access_disabled', 'token_missing_private_scope']);
    for (const d of outcome.diagnoses) {
      expect(d.status).toBe('possible');
      expect(d.decidedBy.length).toBeGreaterThan(0);
    }
    expect(outcome.calls).toBe(0);
  });
});

describe('when Front does not answer in time', () => {
  test('the diagnosis returns by its deadline and says what it could not check, never a scope problem', async () => {
    // Front never answers; the deadline alone can end the diagnosis.
    sandbox.setFaults({ ...NO_FAULTS, hang: true });
    const clock = testClock();
    const pending = diagnose('cnv_yo1kg5q', {
      rules,
      clock: clock.now,
      live: connect('acme_private', { timeoutMs: 1_200, requestTimeoutMs: 800, clock }).live,
    });
    await until(() => sandbox.stats().total > 0, 'the first requests to reach Front');
    // Time moves only up to the deadline: the diagnosis must return without more.
    clock.advance(1_200);
    const outcome = okOutcome(await pending);
    expect(clock.pendingTimers()).toBe(0);
    const causes = outcome.diagnoses.map((d) => d.cause);
    expect(causes).not.toContain('token_missing_private_scope');
    expect(causes).not.toContain('teammate_api_access_disabled');
    expect(outcome.checks.some((c) => c.ok === null && /could not check/.test(c.result))).toBe(true);
  });
});

describe('hostile IDs never reach Front', () => {
  test.each(['cnv_1/../teammates', 'cnv_1%2F..%2Fteammates', 'CNV_1', 'cnv_1?x=1'])('%s', async (id) => {
    const outcome = await diagnose(
      `{"_error":{"status":403,"message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"${id}\\""}}`,
      {
        rules,
        live: connect('acme_private').live,
      },
    );
    expect(outcome.ok).toBe(true);
    const paths = Object.keys(sandbox.stats().byPath);
    expect(paths.every((p) => /^\/[a-z_]+(\/[a-z]{2,4}_[0-9a-z]+)?(\/[a-z_]+)?$/.test(p))).toBe(true);
    expect(paths.join(' ')).not.toMatch(/\.\.|%2F|CNV|\?/i);
  });
});

describe('the token stays secret', () => {
  test('no diagnosis, evidence or check ever contains the token', async () => {
    const seen: string[] = [];
    for (const scenario of SANDBOX_SCENARIOS) {
      sandbox.setFaults({ ...NO_FAULTS, ...scenario.faults });
      sandbox.resetRateLimits();
      seen.push(JSON.stringify(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live })));
    }
    const all = seen.join('\n');
    for (const token of Object.values(sandbox.tokens)) {
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.split('.')[2] ?? token);
    }
  });
});

describe('a pasted error about something other than a conversation', () => {
  test('live checks do not invent conversation causes for it', async () => {
    const paste =
      '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"tag\\" with ID: \\"tag_2oxhvy\\""}}';
    const outcome = okOutcome(await diagnose(paste, { rules, live: connect('acme_private').live }));
    const causes = outcome.diagnoses.map((d) => d.cause);
    expect(causes).not.toContain('token_missing_private_scope');
    expect(causes).not.toContain('teammate_api_access_disabled');
    expect(causes.length).toBeGreaterThan(0);
  });
});

describe('every other kind of resource that can be private', () => {
  const KIND_SCENARIOS = SANDBOX_SCENARIOS.filter((s) => !/cnv_/.test(s.input) && /403|not allowed/.test(s.input));

  test('has a scenario per kind', () => {
    const prefixes = KIND_SCENARIOS.map(
      (s) => /\b(msg|com|inb|tag|crd|rsp|sig|cha|rul)_|\/teammates\/tea_/.exec(s.input)?.[1] ?? 'listing',
    );
    expect(new Set(prefixes)).toEqual(
      new Set(['msg', 'com', 'inb', 'tag', 'crd', 'rsp', 'sig', 'cha', 'rul', 'listing']),
    );
  });

  test.each(KIND_SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: reproduced on that very resource, named in the answer, within the budget',
    async (_name, scenario) => {
      const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live }));
      const [first] = outcome.diagnoses;
      expect([first?.cause, first?.status]).toEqual([scenario.expectedCause, 'confirmed']);
      const target = outcome.targets[0] ?? '';
      // The resource probe's check reads "GET <path> (the <kind> <id>)".
      const read = outcome.checks.find((c) => /^GET \S+ \(the /.test(c.check) && c.check.includes(target));
      expect(read?.result).toMatch(/^403 /);
      expect(sandbox.stats().byRequest[`GET ${read?.check.split(' ')[1] ?? ''}`]).toBe(1);
      if (first?.owner?.how === 'requested') expect(first.headline).toContain(first.owner.name);
      else expect(first?.headline).toContain(target);
      expect(outcome.calls).toBeLessThanOrEqual(12);
      expect(sandbox.stats().total).toBe(outcome.calls);
    },
  );

  test("a shared resource of the same kind reads fine with the customer's token: not reproducible", async () => {
    const paste = 'This agent is not allowed to read the "message template" with ID: "rsp_16yd"';
    const outcome = okOutcome(await diagnose(paste, { rules, live: connect('acme_private').live }));
    expect(outcome.diagnoses.map((d) => d.cause)).toEqual(['not_reproducible']);
    expect(outcome.diagnoses[0]?.headline).toContain('the message template rsp_16yd reads fine');
  });

  test("a teammate's listing names that teammate as the owner, and how it is known", async () => {
    const scenario = SANDBOX_SCENARIOS.find((s) => s.name === 'teammate_tags_preference_off')!;
    const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live }));
    expect(outcome.diagnoses[0]?.owner).toEqual({ how: 'requested', name: 'Bruno Keller <bruno.keller@acme.example>' });
  });
});

describe('a bare ID of another kind that can be private is checked like a bare conversation ID', () => {
  test.each([
    ['msg_1q15qmtq', '/messages/msg_1q15qmtq', 'acme_private'],
    ['tag_3b0c1', '/tags/tag_3b0c1', 'globex_private'],
    ['rsp_16yc', '/message_templates/rsp_16yc', 'acme_private'],
    ['https://app.frontapp.com/open/msg_1q15qmtq', '/messages/msg_1q15qmtq', 'acme_private'],
  ] as const)('%s, refused: the refusal is reproduced on it and explained', async (input, path, token) => {
    const outcome = okOutcome(await diagnose(input, { rules, live: connect(token).live }));
    const [first] = outcome.diagnoses;
    expect([first?.cause, first?.status]).toEqual(['teammate_api_access_disabled', 'confirmed']);
    const id = path.split('/')[2] ?? '';
    expect(outcome.targets).toEqual([id]);
    expect(first?.headline).toContain(id);
    expect(sandbox.stats().byRequest[`GET ${path}`]).toBe(1);
    expect(Object.keys(sandbox.stats().byPath).some((p) => p.startsWith('/conversations'))).toBe(false);
  });

  test.each(['message_preference_off', 'tag_preference_off', 'message_template_preference_off'])(
    '%s: the bare ID gets the answer its pasted refusal gets, owner included',
    async (name) => {
      const scenario = SANDBOX_SCENARIOS.find((s) => s.name === name)!;
      const id = /\b(?:msg|tag|rsp)_[0-9a-z]+/.exec(scenario.input)?.[0] ?? '';
      const pasted = okOutcome(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live }));
      const bare = okOutcome(await diagnose(id, { rules, live: connect(scenario.tokenName).live }));
      const answer = (o: typeof bare) => o.diagnoses.map((d) => [d.cause, d.status, d.headline, d.owner]);
      expect(answer(bare)).toEqual(answer(pasted));
    },
  );

  test.each([
    ['msg_1q15qmts', 'the message msg_1q15qmts reads fine', '/messages/msg_1q15qmts'],
    ['tag_2oxhvy', 'the tag tag_2oxhvy reads fine', '/tags/tag_2oxhvy'],
    ['rsp_16yd', 'the message template rsp_16yd reads fine', '/message_templates/rsp_16yd'],
  ])('%s, readable: access works now', async (input, headline, path) => {
    const outcome = okOutcome(await diagnose(input, { rules, live: connect('acme_private').live }));
    expect(outcome.diagnoses.map((d) => [d.cause, d.status])).toEqual([['not_reproducible', 'confirmed']]);
    expect(outcome.diagnoses[0]?.headline).toContain(headline);
    expect(sandbox.stats().byRequest[`GET ${path}`]).toBe(1);
  });

  test('several bare IDs of different kinds are each read once, with what each one is', async () => {
    const outcome = okOutcome(await diagnose('tag_2oxhvy cnv_yo1kg5s', { rules, live: connect('acme_private').live }));
    expect(outcome.targets).toEqual(['tag_2oxhvy', 'cnv_yo1kg5s']);
    expect(outcome.diagnoses.map((d) => d.headline).sort()).toEqual([
      expect.stringContaining('cnv_yo1kg5s reads fine'),
      expect.stringContaining('the tag tag_2oxhvy reads fine'),
    ]);
    expect(sandbox.stats().byRequest['GET /tags/tag_2oxhvy']).toBe(1);
    expect(sandbox.stats().byRequest['GET /conversations/cnv_yo1kg5s']).toBe(1);
  });
});

describe('an ID of another kind that Front does not know', () => {
  test('a pasted 404 on a tag is read live on that tag and named in the answer', async () => {
    const paste = '{"_error":{"status":404,"title":"Not found","message":"Unknown tag ID tag_zz9k2"}}';
    const outcome = okOutcome(await diagnose(paste, { rules, live: connect('acme_private').live }));
    const [first] = outcome.diagnoses;
    expect([first?.cause, first?.status]).toEqual(['resource_not_found', 'confirmed']);
    expect(first?.headline).toBe('Front does not know the tag tag_zz9k2 (404 Not found)');
    expect(first?.why).toContain('Reading the tag tag_zz9k2 with the stored token: 404.');
    expect(sandbox.stats().byRequest['GET /tags/tag_zz9k2']).toBe(1);
  });

  test('a bare message template ID that does not exist: reading it answers 404, said as such', async () => {
    const outcome = okOutcome(await diagnose('rsp_zz1c', { rules, live: connect('acme_private').live }));
    expect(outcome.diagnoses.map((d) => [d.cause, d.status])).toEqual([['resource_not_found', 'confirmed']]);
    expect(outcome.diagnoses[0]?.headline).toBe(
      'Front does not know the message template rsp_zz1c: reading it with the stored token answers 404',
    );
    expect(outcome.diagnoses[0]?.why).toContain('(Unknown message template ID rsp_zz1c)');
    expect(sandbox.stats().byRequest['GET /message_templates/rsp_zz1c']).toBe(1);
  });
});

describe('a workspace-restricted token', () => {
  test('has its visible workspaces fetched alongside the first reads, and named in the answer', async () => {
    const scenario = SANDBOX_SCENARIOS.find((s) => s.name === 'workspace_restricted')!;
    const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live }));
    expect(outcome.diagnoses[0]?.cause).toBe('token_workspace_restricted');
    expect(JSON.stringify(outcome.diagnoses[0])).toContain('tim_k30');
    // GET /teams did not wait for the decision: one round of requests in all.
    expect(outcome.depth).toBe(1);
    expect(sandbox.stats().byPath['/teams']).toBe(1);
    expect(sandbox.stats().total).toBe(outcome.calls);
  });
});

describe('the chain of requests a diagnosis waited through', () => {
  test('counts GET /me as a second round when the rules asked for it only once the refused read had answered', async () => {
    const scenario = SANDBOX_SCENARIOS.find((s) => s.name === 'another_company_id')!;
    const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connect(scenario.tokenName).live }));
    expect(sandbox.stats().byPath['/me']).toBe(1);
    expect(outcome.depth).toBe(2);
  });
});

describe('live evidence outranks the paste, and a contradiction is itself an answer', () => {
  const invalidToken = (id: string) =>
    `GET https://api2.frontapp.com/conversations/${id}\n401 {"_error":{"status":401,"title":"Unauthorized","message":"Invalid token"}}`;
  const notAllowed = (id: string) =>
    `GET https://api2.frontapp.com/conversations/${id}\n403 {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"${id}\\""}}`;

  test('a pasted 401 while the stored token works: the integration sends another token, GET /me overruled the paste', async () => {
    const outcome = okOutcome(
      await diagnose(invalidToken('cnv_yo1kg5s'), { rules, live: connect('acme_private').live }),
    );
    const [first] = outcome.diagnoses;
    expect(first).toMatchObject({
      cause: 'token_invalid',
      variant: 'other-token',
      status: 'confirmed',
      overruledBy: 'me',
    });
    expect(first?.headline).toContain('sends another or an old token');
    expect(first?.rankedBy).toContain('GET /me');
    expect(first?.steps.agent.join('\n')).toContain('Acme Support');
    expect(first?.steps.agent.join('\n')).toMatch(/which token their integration sends/);
    expect(first?.steps.admin.join('\n')).toMatch(/replace the token it sends/);
    // The paste's own reading ("the token itself is missing, malformed or revoked") is not given.
    expect(outcome.diagnoses.map((d) => d.headline).join('\n')).not.toContain('Front rejects the token itself');
  });

  test('the same paste when the stored token is refused too stays "Front rejects the token", with nothing overruled', async () => {
    const outcome = okOutcome(
      await diagnose(invalidToken('cnv_yo1kg5s'), { rules, live: connect('acme_revoked').live }),
    );
    expect(outcome.diagnoses[0]).toMatchObject({ cause: 'token_invalid', variant: 'refused', status: 'confirmed' });
    expect(outcome.diagnoses[0]?.overruledBy).toBeUndefined();
  });

  test("a pasted 403 on an ID the stored token reads as 404 (another company's conversation): a company mix-up, not a typo", async () => {
    const outcome = okOutcome(await diagnose(notAllowed('cnv_zq3ab10'), { rules, live: connect('acme_private').live }));
    expect(outcome.diagnoses.map((d) => d.cause)).toEqual(['company_mismatch']);
    const [first] = outcome.diagnoses;
    expect(first).toMatchObject({ status: 'confirmed', overruledBy: 'conversation', confidence: 'medium' });
    expect(first?.headline).toContain('likely of different Front companies');
    expect(first?.steps.agent.join('\n')).toContain('"Acme Support"');
    expect(JSON.stringify(first)).not.toContain('Check the ID');
  });

  test('this host not reaching Front (connection refused) is said as such, never "Front is down", and the paste is still read', async () => {
    const scenario = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!;
    const connection = connect(scenario.tokenName);
    await sandbox.setReachable(false);
    const outcome = okOutcome(await diagnose(scenario.input, { rules, live: connection.live }));
    const causes = outcome.diagnoses.map((d) => d.cause);
    expect(outcome.diagnoses[0]).toMatchObject({ cause: 'bot_cannot_reach_front', status: 'confirmed' });
    expect(causes).not.toContain('front_unavailable');
    expect(outcome.diagnoses.map((d) => d.headline).join('\n')).not.toMatch(/Front is down/);
    // The pasted 403's causes stay, undecided, beside it.
    expect(causes).toContain('teammate_api_access_disabled');
    expect(outcome.diagnoses.find((d) => d.cause === 'teammate_api_access_disabled')?.status).toBe('possible');
    expect(outcome.checks.map((c) => c.result).join('\n')).toContain('ECONNREFUSED');
  });

  test('a host name that does not resolve is the same answer', async () => {
    const connection = connectTenant(sandbox.tokens.acme_private, {
      baseUrl: 'https://front-why-test.invalid',
      requestTimeoutMs: 2_000,
      timeoutMs: 5_000,
      maxCalls: 12,
    });
    try {
      const outcome = okOutcome(await diagnose('cnv_yo1kg5s', { rules, live: connection.live }));
      expect(outcome.diagnoses.map((d) => d.cause)).toEqual(['bot_cannot_reach_front']);
    } finally {
      await connection.close();
    }
  });

  test('Front reached but failing (503) is still Front being down', async () => {
    sandbox.setFaults({ outage: true });
    const outcome = okOutcome(await diagnose('cnv_yo1kg5s', { rules, live: connect('acme_private').live }));
    expect(outcome.diagnoses.map((d) => d.cause)).toEqual(['front_unavailable']);
  });
});
