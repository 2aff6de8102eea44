import type { DiagnoseOutcome, Diagnosis } from '../../src/diagnosis';
import { LIMITS, renderOutcome, ACTION_IDS, type SlackMessage } from '../../src/slack/render/blocks';
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
  test('escapes &, < and > so mentions and links in a paste stay text', () => {
    expect(escapeText(HOSTILE)).toBe(
      '&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|front.com&gt; &lt;!here&gt; &amp; &lt;#C1&gt;',
    );
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
  test('every value from the paste, Front or a rule is escaped; the fallback text is always set', () => {
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
    });
    const messages = renderOutcome(
      outcome([hostile], { checks: [{ source: 'probe', check: `GET ${HOSTILE}`, result: HOSTILE, ok: null }] }),
      {
        tenant: '<!channel>',
        buttonValue: 'cnv_yo1kg5q',
      },
    );
    expect(unescapedAngles(messages)).toEqual([]);
    expect(allText(messages)).toContain('&lt;!channel&gt;');
    expect(allText(messages)).toContain('<https://help.front.com/x|Title &lt;!channel&gt;');
    expect(allText(messages)).not.toContain('evil.example|bad');
    for (const m of messages) expect(m.text.length).toBeGreaterThan(0);
  });

  test('renders cause, why, steps per audience, links, what was checked and both buttons', () => {
    const [message, ...rest] = renderOutcome(outcome([diagnosis()]), { tenant: 'acme', buttonValue: 'cnv_yo1kg5q' });
    expect(rest).toEqual([]);
    const text = sectionTexts([message!]).join('\n');
    expect(text).toContain('*Cause:* Bruno Keller &lt;bruno@acme.example&gt; has the preference off');
    expect(text).toContain('*Why:* Because the teammate turned it off.');
    expect(text).toContain('*Support agent*\n1. Tell the customer.');
    expect(text).toContain("*Customer's teammate*\n1. Turn it on.");
    expect(text).toContain("*Customer's admin*\n1. Do it for Bruno Keller.");
    expect(text).toContain('<https://help.front.com/t/80d8nt|Front help>');
    expect(text).toMatch(/\*What was checked\*\n✗ GET \/conversations\/cnv_yo1kg5q: 403 forbidden \(12 ms\)/);
    expect(text).toContain('checked live with tenant *acme* · 3 request(s) to Front');
    const last = message!.blocks[message!.blocks.length - 1] as {
      type: string;
      elements: { action_id: string; value: string }[];
    };
    expect(last.type).toBe('actions');
    expect(last.elements.map((e) => e.action_id)).toEqual([ACTION_IDS.checkAgain, ACTION_IDS.customerMessage]);
    expect(message!.text).toBe('Cause: Bruno Keller &lt;bruno@acme.example&gt; has the preference off');
  });

  test('splits a huge answer into several messages within Slack limits, buttons on the last one', () => {
    const long = 'A long explanation line that goes on and on. '.repeat(300);
    const many = Array.from({ length: 30 }, (_, i) =>
      diagnosis({
        rule: `rule-${i}`,
        why: long,
        steps: { agent: Array.from({ length: 40 }, (_, n) => `step ${n} ${'x'.repeat(120)}`), teammate: [], admin: [] },
      }),
    );
    const messages = renderOutcome(outcome(many), { tenant: 'acme', buttonValue: 'v' });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
      expect(JSON.stringify(m.blocks).length).toBeLessThanOrEqual(LIMITS.messageChars + 600);
      expect(m.text).not.toBe('');
      expect(m.text.length).toBeLessThanOrEqual(LIMITS.fallbackChars);
    }
    for (const text of sectionTexts(messages)) expect(text.length).toBeLessThanOrEqual(LIMITS.sectionChars);
    expect(messages.filter((m) => m.blocks.some((b) => b.type === 'actions'))).toEqual([messages[messages.length - 1]]);
    expect(messages[1]!.text).toMatch(/part 2 of \d+/);
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
});
