import fc from 'fast-check';
import { BUILT_IN_RULES } from '../../src/config';
import { causesOf, loadRulesOrThrow } from '../../src/rules';
import type { DiagnoseOutcome, Diagnosis, Evidence } from '../../src/diagnosis';
import type { AuditReport } from '../../src/diagnosis/audit';
import { renderOutcome, type OutcomeView } from '../../src/slack/render/blocks';
import { auditDoneMessage, auditProgressMessage, auditReportMessages } from '../../src/slack/render/blocks-audit';
import { customerMessage } from '../../src/slack/render/blocks-customer';
import { simpleMessage, type SlackMessage } from '../../src/slack/render/block-kit';
import { escapeText } from '../../src/slack/render/escape';
import { failureText } from '../../src/slack/send/failure';
import { inviteHint, postFailedHint, withHint } from '../../src/slack/render/invite-hint';
import { slackProblems } from './slack-limits';

/** The causes the built-in rules declare. */
const CAUSES = causesOf(loadRulesOrThrow(BUILT_IN_RULES));

/**
 * The Block Kit renderers over hostile, huge and unicode-heavy diagnoses, outcomes and audit reports: they never
 * throw, every message stays within Slack's limits, and nothing from a paste, from Front or from a rendered rule
 * template can ping anyone or forge a link.
 */

const NUM_RUNS = 300;
/**
 * No shrinking: shrinking strings of several kilobytes takes minutes, and the thrown problem list already says
 * what broke (raise NUM_RUNS locally to search harder; 3,000 runs pass).
 */
const RUN = { numRuns: NUM_RUNS, endOnFailure: true } as const;

/** Pieces that mean something to Slack (mentions, links, entities, mrkdwn) or to a terminal, and secrets. */
const HOSTILE = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U123>',
  '<@W0ADMIN|boss>',
  '<#C123|general>',
  '<!subteam^S123|@admins>',
  '<!date^1392734382^{date}|x>',
  '<https://evil.example|front.com>',
  '<mailto:a@evil.example|help>',
  '<tel:123>',
  '<',
  '>',
  '<<>>',
  '|',
  '&',
  '&amp;',
  '&lt;',
  '&gt;',
  '&lt;!channel&gt;',
  '&amp;lt;',
  '&#60;',
  '&',
  '`',
  '```',
  '*',
  '_',
  '~',
  '>>>',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '  ',
  '\u00a0',
  'é',
  'ß',
  '😀',
  '👩‍👩‍👧',
  '\u202e',
  '\u200b',
  '\u0000',
  '\u001b[31m',
  '\ud800',
  'cnv_yo1kg5q',
  'https://help.front.com/x?a=1&b=2',
  ':warning:',
  '\\',
  '"',
  '{{owner.name}}',
] as const;

/** A token that must never reach Slack, whatever field it was pasted into. */
const JWT_SIGNATURE = 'c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1sZWFr';
const SECRETS = [
  `eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJmcm9udCJ9.${JWT_SIGNATURE}`,
  'xoxb-1234567890-abcdefghij',
  `Bearer ${JWT_SIGNATURE}`,
];

const piece = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.constantFrom(...SECRETS.map((s) => ` ${s} `)),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

/** Short hostile text, long hostile text, and now and then a huge one (well past every Slack limit). */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(piece, fc.integer({ min: 200, max: 3_000 })).map(([p, n]) => p.repeat(n).slice(0, 9_000)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.integer({ min: 100, max: 400 }))
      .map(([t, n]) => t.repeat(n)),
  },
);
const shortText = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));

/** Rule links: https in the rule files, but titles are templates (they can carry Front's data) and URLs are checked anyway. */
const link = fc.record({
  title: shortText,
  url: fc.oneof(
    fc.webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true }),
    fc.constantFrom(
      'https://front.com@evil.example/',
      'http://help.front.com',
      'javascript:alert(1)',
      'https://x.example/a|b>c<!channel>',
      'https://x.example/?a=1&b=<2>',
      'not a url',
    ),
  ),
});

const evidence: fc.Arbitrary<Evidence> = fc.record(
  {
    source: fc.constantFrom('paste' as const, 'probe' as const),
    check: text,
    result: text,
    ok: fc.constantFrom(true, false, null),
    ms: fc.oneof(fc.nat(100_000), fc.double()),
  },
  { requiredKeys: ['source', 'check', 'result', 'ok'] },
);

const steps = fc.array(text, { maxLength: 8 });

const diagnosis: fc.Arbitrary<Diagnosis> = fc.record(
  {
    cause: fc.constantFrom(...CAUSES),
    rule: shortText,
    status: fc.constantFrom('confirmed' as const, 'possible' as const),
    confidence: fc.constantFrom('high' as const, 'medium' as const, 'low' as const),
    headline: text,
    why: text,
    steps: fc.record({ agent: steps, teammate: steps, admin: steps }),
    links: fc.array(link, { maxLength: 5 }),
    evidence: fc.array(evidence, { maxLength: 6 }),
    decidedBy: fc.array(text, { maxLength: 4 }),
    target: shortText,
  },
  {
    requiredKeys: [
      'cause',
      'rule',
      'status',
      'confidence',
      'headline',
      'why',
      'steps',
      'links',
      'evidence',
      'decidedBy',
    ],
  },
);

const outcome: fc.Arbitrary<DiagnoseOutcome> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      ok: fc.constant(true as const),
      diagnoses: fc.oneof(
        { weight: 4, arbitrary: fc.array(diagnosis, { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(diagnosis, { minLength: 8, maxLength: 25 }) },
      ),
      targets: fc.array(shortText, { maxLength: 5 }),
      sawError: fc.boolean(),
      live: fc.boolean(),
      calls: fc.nat(50),
      callsToDecide: fc.nat(50),
      depth: fc.nat(5),
      checks: fc.array(evidence, { maxLength: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ ok: fc.constant(false as const), message: text }) },
);

/** The view as runDiagnosis builds it: the button value is the escaped paste (or the targets), at most 1,900 characters. */
const view: fc.Arbitrary<OutcomeView> = fc.record(
  {
    tenant: shortText,
    offlineReason: shortText,
    buttonValue: text.map((t) => escapeText(t).slice(0, 1_900)).filter((v) => v.length > 0),
  },
  { requiredKeys: [] },
);

/** Nothing token-shaped that was put in comes out. */
function leakedSecrets(messages: SlackMessage[]): string[] {
  const all = JSON.stringify(messages);
  return [JWT_SIGNATURE, 'xoxb-1234567890'].filter((s) => all.includes(s));
}

/** Throws with the problems themselves: the counterexample alone can be megabytes of text. */
function expectSlackSafe(messages: SlackMessage[]): void {
  const problems = [
    ...slackProblems(messages),
    ...leakedSecrets(messages).map((s) => `a pasted secret came out: ${s}`),
  ];
  if (problems.length > 0) throw new Error(`Slack would not take this as meant:\n${problems.slice(0, 10).join('\n')}`);
}

describe('renderOutcome', () => {
  test('never throws; every message is within Slack limits, escaped, and free of pasted secrets', () => {
    fc.assert(
      fc.property(outcome, view, (o, v) => {
        expectSlackSafe(renderOutcome(o, v));
      }),
      RUN,
    );
  });

  test('the buttons come once, under the whole answer, carrying the view’s value', () => {
    fc.assert(
      fc.property(outcome, view, (o, v) => {
        const messages = renderOutcome(o, v);
        const withButtons = messages.filter((m) => m.blocks.some((b) => b.type === 'actions'));
        if (o.ok && v.buttonValue) {
          expect(withButtons).toEqual([messages[messages.length - 1]]);
          expect(JSON.stringify(withButtons[0]!.blocks)).toContain(JSON.stringify(v.buttonValue).slice(1, -1));
        } else {
          expect(withButtons).toEqual([]);
        }
      }),
      RUN,
    );
  });

  test('as a private answer under the /invite hint (or the "could not post" hint), still within limits', () => {
    fc.assert(
      fc.property(outcome, view, fc.constantFrom('C0SUPPORT', 'D0DIRECT'), shortText, (o, v, channel, reason) => {
        const { buttonValue: _none, ...privately } = v;
        const rendered = renderOutcome(o, privately);
        expectSlackSafe(withHint(inviteHint('front-why', channel), rendered));
        expectSlackSafe(withHint(postFailedHint(escapeText(reason), 'ABC123'), rendered));
      }),
      { ...RUN, numRuns: 100 },
    );
  });

  test('a diagnosis built from the classic hostile paste never comes out as a live mention or link', () => {
    const hostile = '<!channel> <@U123> <https://evil|x> &';
    const d: Diagnosis = {
      cause: 'unknown',
      rule: hostile,
      status: 'possible',
      confidence: 'low',
      headline: hostile,
      why: hostile,
      steps: { agent: [hostile], teammate: [hostile], admin: [hostile] },
      links: [{ title: hostile, url: 'https://help.front.com/x' }],
      evidence: [{ source: 'paste', check: hostile, result: hostile, ok: false }],
      decidedBy: [hostile],
      target: hostile,
    };
    const messages = renderOutcome(
      {
        ok: true,
        diagnoses: [d],
        targets: [hostile],
        sawError: true,
        live: true,
        calls: 1,
        callsToDecide: 1,
        depth: 1,
        checks: d.evidence,
      },
      { tenant: hostile, offlineReason: hostile },
    );
    expectSlackSafe(messages);
    const all = JSON.stringify(messages);
    for (const live of ['<!channel>', '<@U123>', '<https://evil|x>']) expect(all).not.toContain(live);
    expect(all).toContain('&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|x&gt; &amp;');
  });
});

describe('customerMessage', () => {
  test('never throws; within Slack limits, escaped, free of pasted secrets', () => {
    fc.assert(
      fc.property(outcome, (o) => {
        expectSlackSafe([customerMessage(o)]);
      }),
      RUN,
    );
  });
});

const teammate = fc.record({ id: shortText, label: text });
const teammates = fc.array(teammate, { maxLength: 6 });

const auditReport: fc.Arbitrary<AuditReport> = fc.record(
  {
    token: fc.record(
      {
        valid: fc.constantFrom(true, false, undefined),
        status: fc.integer({ min: 100, max: 599 }),
        message: text,
        companyName: shortText,
        kind: fc.constantFrom('api' as const, 'oauth' as const, 'unknown' as const),
        scopes: fc.array(shortText, { maxLength: 6 }),
        privateScope: fc.boolean(),
        workspaceIds: fc.array(shortText, { maxLength: 3 }),
      },
      { requiredKeys: ['valid', 'kind', 'workspaceIds'] },
    ),
    teammates: fc.record({
      total: fc.nat(10_000),
      preferenceOff: fc.oneof(
        { weight: 4, arbitrary: teammates },
        { weight: 1, arbitrary: fc.array(teammate, { minLength: 100, maxLength: 400 }) },
      ),
      allowed: teammates,
      forbidden: teammates,
      notChecked: teammates,
    }),
    incomplete: text,
    calls: fc.nat(10_000),
  },
  { requiredKeys: ['token', 'calls'] },
);

describe('the audit renderers', () => {
  test('the report, progress and done messages never throw and stay within limits, escaped', () => {
    fc.assert(
      fc.property(
        auditReport,
        shortText,
        shortText,
        fc.nat(10_000),
        fc.option(fc.nat(10_000), { nil: undefined }),
        (report, tenant, masked, done, total) => {
          expectSlackSafe(auditReportMessages(tenant, report, masked));
          expectSlackSafe([auditProgressMessage(tenant, done, total)]);
          expectSlackSafe([auditDoneMessage(tenant, report)]);
        },
      ),
      { ...RUN, numRuns: 200 },
    );
  });
});

describe('notices', () => {
  test('a failure notice is one safe message whatever the error carries', () => {
    // Error codes are Slack's and the store's own words (`not_in_channel`, `decrypt_failed`), never a paste; hostile anyway.
    const code = fc
      .array(fc.constantFrom(...HOSTILE, 'not_in_channel', 'ratelimited'), { maxLength: 8 })
      .map((parts) => parts.join(''));
    const error = fc.oneof(
      text.map((t) => new Error(t)),
      code.map((c) => Object.assign(new Error('x'), { data: { error: c } })),
      code.map((c) => Object.assign(new Error('x'), { name: 'StoreError', code: c })),
      fc.constantFrom(
        Object.assign(new Error('A request error occurred'), {
          code: 'slack_webapi_request_error',
          original: new Error('A rate limit was exceeded (url: x, retry-after: 1)'),
        }),
      ),
      text,
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(error, shortText, (err, what) => {
        expectSlackSafe([simpleMessage(failureText(escapeText(what), err, 'ABC123'))]);
      }),
      { ...RUN, numRuns: 200 },
    );
  });
});
