import { actions } from '../../src/slack/render/block-kit';
import { ACTION_IDS } from '../../src/slack/render/blocks';
import { buttonClick, CHANNEL, startHarness, waitFor, type Harness } from './helpers/harness';
import type { RecordedCall } from './helpers/slack-standin';

/** A paste naming hundreds of conversations: what was checked, what "Check again" re-checks, and whole IDs. */

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ sandbox: { faults: { rateLimitPerMinute: 100_000 } } });
  await h.bindTenant('acme', h.sandbox.tokens.acme_private, CHANNEL);
});

afterAll(async () => {
  await h?.close();
});

const text = (call: RecordedCall): string => JSON.stringify(call.args);
const since = (mark: number, method: string): RecordedCall[] =>
  h.slack.calls.slice(mark).filter((c) => c.method === method);

/** Every button value of a posted message. */
function buttonValues(call: RecordedCall): string[] {
  const blocks = call.args.blocks as { elements?: { type?: string; value?: string }[] }[];
  return blocks.flatMap((b) => b.elements ?? []).flatMap((e) => (e.type === 'button' && e.value ? [e.value] : []));
}

test('260 conversation IDs: the answer says which it checked and that Check again re-checks those; no ID is cut', async () => {
  // Long IDs, so that all of them could never fit in a button's 2,000 characters.
  const ids = Array.from({ length: 260 }, (_, i) => `cnv_${i.toString(36).padStart(20, 'q')}`);
  const mark = h.slack.calls.length;
  await h.command(`these fail for us: ${ids.join(', ')}`);
  const answer = await waitFor(
    () => since(mark, 'chat.postMessage').find((c) => text(c).includes(ACTION_IDS.checkAgain)),
    'the answer with its buttons',
  );
  await h.idle();
  const checked = ids.slice(0, 3);
  expect(text(answer)).toContain(
    `Checked, and *Check again* re-checks, ${checked.map((id) => `\`${id}\``).join(', ')}: 3 of the 260 Front IDs in the paste. To check others, send them 3 at a time.`,
  );

  const values = buttonValues(answer);
  expect(values.length).toBeGreaterThan(0);
  for (const value of values) {
    expect(value.length).toBeLessThanOrEqual(2000);
    // Every ID a button carries is one of the paste's, whole.
    for (const carried of value.match(/cnv_[0-9a-z]+/g) ?? []) expect(ids).toContain(carried);
  }

  const clicked = h.slack.calls.length;
  await h.interact(buttonClick(answer, ACTION_IDS.checkAgain, { responseUrl: h.slack.responseUrl() }));
  const again = await waitFor(
    () => since(clicked, 'chat.postMessage').find((c) => text(c).includes('Checked again')),
    'the re-check',
  );
  for (const id of checked) expect(text(again)).toContain(id);
  for (const id of ids.slice(3)) expect(text(again)).not.toContain(id);
});

test('a paste of three IDs or fewer gets no such note: everything in it was checked', async () => {
  const mark = h.slack.calls.length;
  await h.command('cnv_yo1kg5q cnv_abc');
  const answer = await waitFor(
    () => since(mark, 'chat.postMessage').find((c) => text(c).includes(ACTION_IDS.checkAgain)),
    'the answer with its buttons',
  );
  expect(text(answer)).not.toContain('re-checks');
});

test('a button value over Slack’s 2,000 characters is cut after a whole ID, never inside one', () => {
  const ids = Array.from({ length: 150 }, (_, i) => `cnv_${i.toString(36).padStart(10, 'z')}`);
  const block = actions([{ actionId: ACTION_IDS.checkAgain, label: 'Check again', value: ids.join(' ') }]) as {
    elements: { value: string }[];
  };
  const button = block.elements[0];
  expect(button!.value.length).toBeLessThanOrEqual(2000);
  const carried = button!.value.split(' ');
  expect(carried).toEqual(ids.slice(0, carried.length));
  expect(carried.length).toBeGreaterThan(100);
});
