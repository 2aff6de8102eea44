import fc from 'fast-check';
import type { DiagnoseOutcome, Diagnosis } from '../../src/diagnosis';
import {
  LIMITS,
  renderOutcome,
  renderOutcomeDetails,
  ACTION_IDS,
  type SlackMessage,
} from '../../src/slack/render/blocks';
import { customerMessage } from '../../src/slack/render/blocks-customer';
import { splitMrkdwn } from '../../src/slack/render/block-kit';
import { escapeText, safeHttpsUrl, slackLink } from '../../src/slack/render/escape';

const HOSTILE = '<!channel> <@U123> <https://evil.example|front.com> <!here> & <#C1>';

function diagnosis(overrides: Partial<Diagnosis> = {}): Diagnosis {
  return {
    cause: 'teammate_api_access_disabled',
    rule: 'teammate-api-access-disabled',
    status: 'confirmed',
    confidence: 'high',
    headline: 'Bruno Keller <bruno@acme.example> has the preference off',
    why: 'Because the teammate turned it off.',
    steps: { agent: ['Tell the customer.'], teammate: ['Turn it on.'], admin: ['Do it for Bruno Keller.'] },
    links: [{ title: 'Front help', url: 'https://help.front.com/t/80d8nt' }],
    evidence: [
      { source: 'probe', check: 'GET /conversations/cnv_yo1kg5q', result: '403 forbidden', ok: false, ms: 12 },
    ],
    decidedBy: [],
    target: 'cnv_yo1kg5q',
    ...overrides,
  };
}

function outcome(diagnoses: Diagnosis[], extra: Partial<Extract<DiagnoseOutcome, { ok: true }>> = {}): DiagnoseOutcome {
  return {
    ok: true,
    diagnoses,
    targets: ['cnv_yo1kg5q'],
    sawError: true,
    live: true,
    calls: 3,
    callsToDecide: 3,
    depth: 1,
    checks: diagnoses.flatMap((d) => d.evidence),
    ...extra,
  };
}

/** Every piece of text a message carries, wherever Slack would read it. */
function allText(messages: SlackMessage[]): string {
  return JSON.stringify(messages);
}

/** `<` and `>` may appear only as our own links (`<https://…|…>`). */
function unescapedAngles(messages: SlackMessage[]): string[] {
  const text = messages.map((m) => `${m.text}\n${JSON.stringify(m.blocks)}`).join('\n');
  return [...text.matchAll(/<[^>]*>/g)].map((m) => m[0]).filter((m) => !/^<https:\/\/[^|<>\s]+\|[^<>]*>$/.test(m));
}

function sectionTexts(messages: SlackMessage[]): string[] {
  return messages.flatMap((m) =>
    m.blocks.flatMap((b) => {
      if (b.type === 'section') return [(b as { text: { text: string } }).text.text];
      if (b.type === 'context') return (b as { elements: { text: string }[] }).elements.map((e) => e.text);
      return [];
    }),
  );
}

describe('escaping', () => {
  test("a teammate's name from Front with bidi overrides or separators reads as it is in the answer", () => {
    // U+202E would show "Bruno Keller" as "rellеK onurB"-like text; U+2066–U+2069 isolate; U+2028 breaks a line.
    const name = 'Bruno \u202eKeller\u202c\u2066 \u2069<bruno@acme.example>\u2028';
    const d = diagnosis({ owner: { how: 'inbox-owner', name }, headline: `${name} has the preference off` });
    const text = allText([
      ...renderOutcome(outcome([d]), { tenant: 'acme' }),
      ...renderOutcomeDetails(outcome([d]), { tenant: 'acme' }),
    ]);
    expect(text).toContain('Bruno Keller');
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
  });

  test('escapes &, < and > so mentions and links in a paste stay text', () => {
    expect(escapeText(HOSTILE)).toBe(
      '&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|front.com&gt; &lt;!here&gt; &amp; &lt;#C1&gt;',
    );
  });

  test('literal * _ ~ in a value never turn into bold, italics or strike-through; IDs and code stay as they are', () => {
    const d = diagnosis({
      why: 'The token has the private namespace (scopes: shared:*, private:*, provisioning), so ~_1 teammate_ is it. Run `front-why diagnose cnv_*` to check.',
      headline: 'tea_6r55d has the preference off',
    });
    const messages = [
      ...renderOutcome(outcome([d]), { tenant: 'acme' }),
      ...renderOutcomeDetails(outcome([d]), { tenant: 'acme' }),
    ];
    const text = allText(messages);
    // Slack would have shown ", private:" in bold and "1 teammate" in italics, struck through.
    expect(text).toContain('scopes: shared:\u2217, private:\u2217, provisioning');
    expect(text).toContain('\u223c\u02cd1 teammate\u02cd is it');
    expect(text).not.toContain('private:*');
    // Inside a word an underscore is not a mark: IDs read, and copy, as they are; so does inline code.
    expect(text).toContain('tea_6r55d has the preference off');
    expect(text).toContain('`front-why diagnose cnv_*`');
    expect(escapeText('teammate_api_access_disabled')).toBe('teammate_api_access_disabled');
  });

  test('links only https URLs, with an escaped title and no credentials', () => {
    expect(slackLink('https://help.front.com/a?b=1&c=2', 'Help <!channel>')).toBe(
      '<https://help.front.com/a?b=1&amp;c=2|Help &lt;!channel&gt;>',
    );
    expect(slackLink('http://help.front.com', 'Help')).toBe('Help');
    expect(slackLink('javascript:alert(1)', 'x')).toBe('x');
    expect(safeHttpsUrl('https://front.com@evil.example/')).toBeUndefined();
    expect(safeHttpsUrl('https://x.example/a|b>c')).toBe('https://x.example/a%7Cb%3Ec');
  });
});

describe('renderOutcome', () => {
  test('every value from the paste, Front or a rule is escaped, first reply and details alike', () => {
    const hostile = diagnosis({
      headline: `Headline ${HOSTILE}`,
      why: `Why ${HOSTILE}`,
      steps: { agent: [`Agent ${HOSTILE}`], teammate: [`Teammate ${HOSTILE}`], admin: [`Admin ${HOSTILE}`] },
      links: [
        { title: `Title ${HOSTILE}`, url: 'https://help.front.com/x' },
        { title: 'bad', url: 'http://evil.example' },
      ],
      evidence: [{ source: 'paste', check: 'error.message', result: HOSTILE, ok: false }],
      decidedBy: [`Decide ${HOSTILE}`],
      owner: { how: 'candidates', candidates: [`Bruno ${HOSTILE}`, 'Dmitri'] },
      rankedBy: `Ranked ${HOSTILE}`,
    });
    const hostileOutcome = outcome([hostile, diagnosis({ headline: `Other ${HOSTILE}` })], {
      checks: [{ source: 'probe', check: `GET ${HOSTILE}`, result: HOSTILE, ok: null }],
    });
    const view = { tenant: '<!channel>', buttonValue: 'cnv_yo1kg5q' };
    const messages = [...renderOutcome(hostileOutcome, view), ...renderOutcomeDetails(hostileOutcome, view)];
    expect(unescapedAngles(messages)).toEqual([]);
    expect(allText(messages)).toContain('&lt;!channel&gt;');
    expect(allText(messages)).toContain('<https://help.front.com/x|Title &lt;!channel&gt;');
    expect(allText(messages)).not.toContain('evil.example|bad');
    for (const m of messages) expect(m.text.length).toBeGreaterThan(0);
  });

  test('the first reply: the cause, who, what tipped it, the steps per audience and three buttons; no why', () => {
    const d = diagnosis({
      headline: 'The teammate who owns cnv_yo1kg5q has the preference off',
      owner: { how: 'elimination', name: 'Bruno Keller', checked: 5, total: 5 },
      rankedBy: 'the live 403 on the conversation',
    });
    const [message, ...rest] = renderOutcome(outcome([d]), { tenant: 'acme', buttonValue: 'cnv_yo1kg5q' });
    expect(rest).toEqual([]);
    const text = sectionTexts([message!]).join('\n');
    expect(text).toContain('*Cause:* The teammate who owns cnv_yo1kg5q has the preference off');
    expect(text).toContain('Owner: Bruno Keller (the only teammate with the preference off; 5 of 5 checked)');
    expect(text).toContain('Ranked first: the live 403 on the conversation');
    expect(text).toContain('*Support agent*\n1. Tell the customer.');
    expect(text).toContain("*Customer's teammate*\n1. Turn it on.");
    expect(text).toContain("*Customer's admin*\n1. Do it for Bruno Keller.");
    expect(text).toContain('checked live with tenant *acme* · 3 request(s) to Front');
    expect(text).not.toContain('Because the teammate turned it off.');
    expect(text).not.toContain('GET /conversations/cnv_yo1kg5q');
    expect(text).not.toContain('help.front.com');
    const last = message!.blocks[message!.blocks.length - 1] as {
      type: string;
      elements: { action_id: string; value: string }[];
    };
    expect(last.type).toBe('actions');
    expect(last.elements.map((e) => e.action_id)).toEqual([
      ACTION_IDS.checkAgain,
      ACTION_IDS.customerMessage,
      ACTION_IDS.details,
    ]);
    expect(last.elements.every((e) => e.value === 'cnv_yo1kg5q')).toBe(true);
    expect(message!.text).toBe('Cause: The teammate who owns cnv_yo1kg5q has the preference off');
  });

  test('a headline that names the owners is not followed by an Owner line with the same names; Details says how', () => {
    const d = diagnosis({
      headline: 'The teammate who owns cnv_yo1kg5q has it off: one of Bruno Keller, Dmitri Ivanov (all 5 checked)',
      owner: { how: 'candidates', candidates: ['Bruno Keller', 'Dmitri Ivanov'], checked: 5, total: 5 },
    });
    const view = { tenant: 'acme', buttonValue: 'cnv_yo1kg5q' };
    const first = sectionTexts(renderOutcome(outcome([d]), view)).join('\n');
    expect(first.match(/Dmitri Ivanov/g)).toHaveLength(1);
    expect(first).not.toContain('Owner:');
    expect(allText(renderOutcomeDetails(outcome([d]), view))).toContain(
      'Owner: one of Bruno Keller, Dmitri Ivanov (the teammates with the preference off; 5 of 5 checked)',
    );
  });

  test('the details: why, what would decide it, links and the live checks, never the pasted facts', () => {
    const d = diagnosis({
      status: 'possible',
      decidedBy: ['whose private resources the token can read'],
      evidence: [
        { source: 'paste', check: 'error.status', result: '403', ok: false },
        { source: 'probe', check: 'GET /conversations/cnv_yo1kg5q', result: '403 forbidden', ok: false, ms: 12 },
      ],
    });
    const details = renderOutcomeDetails(outcome([d], { checks: d.evidence.slice(1) }), { tenant: 'acme' });
    const text = sectionTexts(details).join('\n');
    expect(text).toContain('*Why*\nBecause the teammate turned it off.');
    expect(text).toContain('*What would decide it*\n• whose private resources the token can read');
    expect(text).toContain('<https://help.front.com/t/80d8nt|Front help>');
    expect(text).toContain(
      '*What decided it* (the live checks)\n✗ GET /conversations/cnv_yo1kg5q: 403 forbidden (12 ms)',
    );
    expect(text).not.toContain('error.status');
    // Every step fitted in the first reply: the details do not repeat them.
    expect(text).not.toContain('Tell the customer.');
    const offline = renderOutcomeDetails(outcome([d], { live: false, checks: [] }), { offlineReason: 'no tenant' });
    expect(sectionTexts(offline).join('\n')).toContain('*What decided it:* the paste alone (no tenant)');
  });

  test('long rules still give a first reply within 1,500 characters; the details hold every step', () => {
    const long = 'A long explanation line that goes on and on. '.repeat(300);
    const many = Array.from({ length: 30 }, (_, i) =>
      diagnosis({
        rule: `rule-${i}`,
        headline: `Headline ${i} ${'h'.repeat(600)}`,
        why: long,
        owner: {
          how: 'candidates',
          candidates: Array.from({ length: 40 }, (_, n) => `Teammate ${n} <t${n}@x.example>`),
        },
        rankedBy: 'r'.repeat(600),
        steps: {
          agent: Array.from({ length: 40 }, (_, n) => `agent step ${n} ${'x'.repeat(120)}`),
          teammate: [`teammate step ${'y'.repeat(900)}`],
          admin: Array.from({ length: 5 }, (_, n) => `admin step ${n} & <more> ${'z'.repeat(200)}`),
        },
      }),
    );
    const o = outcome(many, { targets: Array.from({ length: 20 }, (_, i) => `cnv_${i}aaaaaaa`) });
    const first = renderOutcome(o, { tenant: 'acme', buttonValue: 'v' });
    expect(first).toHaveLength(1);
    const shown = sectionTexts(first).join('\n');
    expect(shown.length).toBeLessThanOrEqual(1_500);
    // Every audience keeps at least its first step, and the reply says where the rest is.
    expect(shown).toContain('*Support agent*\n1. agent step 0');
    expect(shown).toContain("*Customer's teammate*\n1. teammate step");
    expect(shown).toContain("*Customer's admin*\n1. admin step 0");
    expect(shown).toContain('under *Details*');
    expect(shown).toContain('… and 27 more');

    const details = renderOutcomeDetails(o, { tenant: 'acme' });
    expect(details.length).toBeGreaterThan(1);
    for (const m of details) {
      expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
      expect(JSON.stringify(m.blocks).length).toBeLessThanOrEqual(LIMITS.messageChars);
      expect(m.text).not.toBe('');
      expect(m.text.length).toBeLessThanOrEqual(LIMITS.fallbackChars);
    }
    for (const text of sectionTexts(details)) expect(text.length).toBeLessThanOrEqual(LIMITS.sectionChars);
    expect(sectionTexts(details).join('\n')).toContain('40. agent step 39');
    expect(details[1]!.text).toMatch(/part 2 of \d+/);
  });

  test('whatever the rules and checks say, the first reply is one message within 1,500 characters', () => {
    const text = (max: number) =>
      fc.string({ unit: fc.constantFrom('a', ' ', '&', '<', '>', '*', 'é', '\n'), maxLength: max });
    const arbitraryDiagnosis = fc.record({
      headline: text(800),
      why: text(200),
      rankedBy: fc.option(text(500), { nil: undefined }),
      owner: fc.option(
        fc.record({ how: fc.constant('candidates' as const), candidates: fc.array(text(80), { maxLength: 20 }) }),
        { nil: undefined },
      ),
      steps: fc.record({
        agent: fc.array(text(600), { maxLength: 6 }),
        teammate: fc.array(text(600), { maxLength: 6 }),
        admin: fc.array(text(600), { maxLength: 6 }),
      }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryDiagnosis, { minLength: 1, maxLength: 5 }), (parts) => {
        const messages = renderOutcome(outcome(parts.map((p) => diagnosis(p))), { tenant: 'acme', buttonValue: 'v' });
        expect(messages).toHaveLength(1);
        expect(sectionTexts(messages).join('\n').length).toBeLessThanOrEqual(1_500);
        expect(unescapedAngles(messages)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  test('an answer without buttons carries its details at once, after the first reply', () => {
    const messages = renderOutcome(outcome([diagnosis()]), { tenant: 'acme' });
    expect(messages.length).toBeGreaterThan(1);
    expect(allText(messages)).not.toContain(ACTION_IDS.details);
    expect(sectionTexts(messages.slice(0, 1)).join('\n')).not.toContain('Because the teammate turned it off.');
    expect(sectionTexts(messages.slice(1)).join('\n')).toContain('*Why*\nBecause the teammate turned it off.');
  });

  test('a hard split never cuts an entity or a link in two', () => {
    const text = `${'a'.repeat(2995)}&amp;&lt;${'b'.repeat(10)} <https://x.example|x>`;
    const chunks = splitMrkdwn(text, 3000);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) {
      expect(chunk).not.toMatch(/&[a-z]{0,3}$/);
      expect(chunk.length).toBeLessThanOrEqual(3000);
    }
  });

  test('says when nothing was found, and when the paste could not be read', () => {
    const none = renderOutcome(
      {
        ok: true,
        diagnoses: [],
        targets: [],
        sawError: false,
        live: false,
        calls: 0,
        callsToDecide: 0,
        depth: 0,
        checks: [],
      },
      { offlineReason: 'no tenant is bound to this channel' },
    );
    expect(allText(none)).toContain('Nothing to check');
    expect(allText(none)).toContain('explained from the paste alone (no tenant is bound to this channel)');
    const unread = renderOutcome({ ok: false, message: `too large ${HOSTILE}` }, {});
    expect(unescapedAngles(unread)).toEqual([]);
    expect(unread[0]!.text).toContain('too large');
  });
});

describe('customerMessage', () => {
  test('gives the admin what to change and for whom, escaped, only for the agent to copy', () => {
    const message = customerMessage(
      outcome([
        diagnosis({
          steps: {
            agent: ['x'],
            teammate: ['Turn it on yourself.'],
            admin: [`Turn it on for Bruno Keller ${HOSTILE}`],
          },
        }),
      ]),
    );
    const text = allText([message]);
    expect(text).toContain('What to change:');
    expect(text).toContain('Turn it on for Bruno Keller');
    expect(text).toContain('Or each teammate concerned can do it themselves');
    expect(text).toContain('Only you can see this');
    expect(unescapedAngles([message])).toEqual([]);
  });

  test('two possible causes read as the likeliest and what it may be instead, not both as the likeliest', () => {
    const text = allText([
      customerMessage(
        outcome([
          diagnosis({ status: 'possible', headline: 'The owner has the preference off' }),
          diagnosis({ status: 'possible', headline: 'The token lacks the private scope' }),
        ]),
      ),
    ]);
    expect(text).toContain('1. What is most likely happening: The owner has the preference off');
    expect(text).toContain('2. Or it may be: The token lacks the private scope');
  });

  test('names the teammates concerned when the checks found them', () => {
    const one = allText([
      customerMessage(
        outcome([diagnosis({ owner: { how: 'inbox-owner', name: 'Bruno Keller <bruno@acme.example>' } })]),
      ),
    ]);
    expect(one).toContain('Teammate concerned: Bruno Keller &lt;bruno@acme.example&gt;');
    const several = allText([
      customerMessage(
        outcome([diagnosis({ owner: { how: 'candidates', candidates: ['Bruno Keller', 'Dmitri Ivanov'] } })]),
      ),
    ]);
    expect(several).toContain(
      'Teammates concerned (the owner is one of them; make the change for each): Bruno Keller, Dmitri Ivanov',
    );
  });
});
