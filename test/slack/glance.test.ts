import { NO_FAULTS, SANDBOX_SCENARIOS } from '../../src/sandbox';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { startHarness, waitFor, type Harness } from './helpers/harness';
import type { RecordedCall } from './helpers/slack-standin';
import { buttonIds, visibleChars, visibleText } from './helpers/visible';

/**
 * The first threaded reply is what the agent acts on: for every sandbox scenario, run through the app as an agent
 * would ask, it fits in 1,500 visible characters and offers the rest behind a Details button.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

async function firstReply(mark: number, channel: string): Promise<RecordedCall> {
  return waitFor(
    () =>
      h.slack.calls
        .slice(mark)
        .find((c) => c.method === 'chat.postMessage' && c.args.channel === channel && c.args.thread_ts !== undefined),
    `the first threaded reply in ${channel}`,
  );
}

/**
 * The answers that offer "Watch until fixed": a cause the customer can fix, found live, about a resource to re-read.
 * Written out, so a change to which causes count as fixable shows here.
 */
const WITH_WATCH = [
  'original_report',
  'new_style_token_preference_off',
  'globex_teammate_resources_denied',
  'missing_private_scope',
  'workspace_restricted',
  'missing_inboxes_read',
  'oauth_private_resources',
  'revoked_token',
  'message_preference_off',
  'comment_missing_private_scope',
  'inbox_preference_off',
  'tag_preference_off',
  'contact_missing_private_scope',
  'message_template_preference_off',
  'signature_preference_off',
  'channel_oauth',
  'rule_preference_off',
  'teammate_tags_preference_off',
  'big_company_owner',
];
/**
 * Not the customer's to fix (a missing or merged conversation, a rate limit, Front down, fine now), no ID, or a live
 * check overruled the paste (the integration's token is not the one a re-check would use).
 */
const WITHOUT_WATCH = [
  'integration_other_token',
  'another_company_id',
  'oauth_token_expired',
  'unknown_conversation',
  'merged_conversation',
  'rate_limited',
  'rate_limited_burst',
  'front_outage',
  'now_works',
];

test('every scenario is listed as offering a watch or not', () => {
  expect(SANDBOX_SCENARIOS.map((s) => s.name).sort()).toEqual([...WITH_WATCH, ...WITHOUT_WATCH].sort());
});

describe('the first threaded reply', () => {
  test.each(SANDBOX_SCENARIOS.map((s, i) => [s.name, s, i] as const))(
    '%s: at most 1,500 visible characters, with the cause, the steps and a Details button',
    async (_name, scenario, i) => {
      const channel = `C0SCENARIO${i}`;
      // A tenant per scenario: one scenario's cached answers or spent rate limit never reach another.
      await h.bindTenant(`scenario-${i}`, h.sandbox.tokens[scenario.tokenName], channel);
      h.sandbox.setFaults({ ...NO_FAULTS, ...scenario.faults });
      h.sandbox.resetRateLimits();
      const mark = h.slack.calls.length;
      const ack = await h.command(scenario.input, { channel });
      expect(ack.status).toBe(200);
      const reply = await firstReply(mark, channel);
      await h.idle();

      const shown = visibleText(reply);
      expect(visibleChars(reply)).toBeLessThanOrEqual(1_500);
      const watchable = WITH_WATCH.includes(scenario.name);
      expect(buttonIds(reply)).toEqual([
        ACTION_IDS.checkAgain,
        ACTION_IDS.customerMessage,
        ACTION_IDS.details,
        ...(watchable ? [ACTION_IDS.watch] : []),
      ]);
      expect(shown).toContain(scenario.expectedCause);
      expect(shown).toMatch(/^(Possible cause|Cause): /m);
      expect(shown).toMatch(/^(Support agent|Customer's teammate|Customer's admin)\n1\. /m);
      // The why and the evidence wait for Details.
      expect(shown).not.toContain('What was checked');
      expect(shown).not.toContain('What decided it');
      // One message: the buttons sit under the answer, not under a second part of it.
      expect(h.slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts)).toEqual([
        reply,
      ]);
    },
  );
});
