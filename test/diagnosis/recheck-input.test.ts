import path from 'node:path';
import { diagnose, MAX_ERRORS_PER_PASTE } from '../../src/diagnosis';
import { parsePaste } from '../../src/diagnosis';
import { recheckInput } from '../../src/input';
import { loadRulesOrThrow } from '../../src/rules';
import { NO_FAULTS, SANDBOX_SCENARIOS, type Sandbox } from '../../src/sandbox';
import { okOutcome, useLiveSandbox } from './helpers';

/**
 * What a button or a watch carries instead of the paste: the errors and IDs read in it. Checked again from that,
 * every scenario must come to what the full paste came to, and nothing else of the paste may be in it.
 */

const rules = loadRulesOrThrow(path.join(__dirname, '../../rules'));

let sandbox: Sandbox;
const { connect } = useLiveSandbox((s) => {
  sandbox = s;
});

/** What an agent pastes around an error: a customer's note with personal data in it. */
const AROUND = [
  'Customer note from jane.doe@customer.example: our admin password is Hunter2-Secret!',
  'SSN on file 078-05-1120, call me on +1 415 555 0100.',
].join('\n');

const SECRETS = ['jane.doe@customer.example', 'Hunter2-Secret', '078-05-1120', '415 555 0100', 'Customer note'];

function reduced(paste: string): string {
  const parsed = parsePaste(paste);
  if (!parsed.ok) throw new Error(parsed.message);
  const input = recheckInput(parsed, { maxErrors: MAX_ERRORS_PER_PASTE, maxChars: 1_900 });
  if (!input) throw new Error('no re-check input');
  return input;
}

describe('a re-check from the reduced input', () => {
  test.each(SANDBOX_SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: reaches the same causes as the full paste, without its free text',
    async (_name, scenario) => {
      const paste = `${AROUND}\n${scenario.input}\n${AROUND}`;
      const input = reduced(paste);
      for (const secret of SECRETS) expect(input).not.toContain(secret);
      expect(input).not.toMatch(/[<>&]/);

      const live = connect(scenario.tokenName).live;
      sandbox.setFaults({ ...NO_FAULTS, ...scenario.faults });
      sandbox.resetRateLimits();
      const full = okOutcome(await diagnose(paste, { rules, live }));
      sandbox.setFaults({ ...NO_FAULTS, ...scenario.faults });
      sandbox.resetRateLimits();
      const again = okOutcome(await diagnose(input, { rules, live: connect(scenario.tokenName).live }));

      expect(full.diagnoses[0]?.cause).toBe(scenario.expectedCause);
      const summary = (o: typeof full) => ({
        causes: o.diagnoses.map((d) => [d.cause, d.status, d.target]),
        targets: o.targets,
        sawError: o.sawError,
      });
      expect(summary(again)).toEqual(summary(full));
    },
  );
});

describe('the reduced input', () => {
  test('reads back to the errors and IDs of the paste, the quote aside', () => {
    const scenario = SANDBOX_SCENARIOS.find((s) => s.name === 'original_report')!;
    const full = parsePaste(`${AROUND}\n${scenario.input}`);
    const again = parsePaste(reduced(`${AROUND}\n${scenario.input}`));
    if (!full.ok || !again.ok) throw new Error('not read');
    const noQuote = (r: typeof full) => ({ ...r, errors: r.errors.map(({ excerpt: _e, ...rest }) => rest) });
    expect(noQuote(again)).toEqual(noQuote(full));
    expect(JSON.stringify(again)).not.toContain('jane.doe');
  });

  test('holds no raw <!channel> even when Front echoed one in its message', () => {
    const input = reduced('403 {"_error":{"status":403,"message":"no <!channel> & cnv_yo1kg5q"}}');
    expect(input).not.toMatch(/[<>&]/);
    const again = parsePaste(input);
    expect(again.ok && again.errors[0]?.message).toBe('no <!channel> & cnv_yo1kg5q');
  });

  test('a malformed one is read as the text it is, not trusted', () => {
    const forged = `${reduced('cnv_yo1kg5q').slice(0, -2)}, "ids": ["../../admin"]}`;
    const read = parsePaste(forged);
    expect(read.ok && read.ids.map((i) => i.id)).toEqual(['cnv_yo1kg5q']);
  });
});
