import fc from 'fast-check';
import { parsePaste } from '../../src/diagnosis';
import { MAX_PASTE_BYTES, type WorkMeter } from '../../src/input';

/**
 * The bot parses every message of a listening channel, so a paste's cost is the sender's to choose. Parsing
 * is charged by the characters its readers visit (a regex run over a stretch counts the whole stretch), and
 * that work must stay linear in the paste: no character read more than WORK_PER_CHAR times, however the paste
 * is built. Benign pastes cost 15–25 per character (a dozen normalising passes, the ID scan, each reader's own
 * pass); a reader that rescans to the end of the paste for each match costs thousands at 64 KiB.
 */
const WORK_PER_CHAR = 100;

function workOf(paste: string): number {
  const meter: WorkMeter = { visited: 0 };
  const result = parsePaste(paste, { meter });
  // A paste of nothing but blank lines is 'empty': read all the same.
  expect(result.ok || result.reason === 'empty').toBe(true);
  // The meter itself: a parse reads every character at least once, so a meter that counts less counts nothing.
  expect(meter.visited).toBeGreaterThanOrEqual(paste.length);
  return meter.visited;
}

/** `unit` repeated to `size` characters. */
function filled(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** What makes a reader rescan: keys it must unescape, pages it must close, lines it must find the ends of. */
const HOSTILE_FRAGMENTS = [
  String.raw`\"_error\":{`,
  String.raw`\\\"_error\\\":{`,
  String.raw`\\\\\\\"_error\\\\\\\":{`,
  String.raw`\"_error\":{}`,
  `'{"_error":{`,
  '{"_error":',
  '{"_error":{"message":"',
  '<html></html>',
  '<html>',
  '<title>',
  '</head>',
  '<script',
  '{',
  '}',
  '"',
  "'",
  '\\',
  '\\\\\\',
  ':',
  ',',
  ' ',
  '\n',
  '403 ',
  'Forbidden',
  'HTTP/1.1 403 Forbidden\n',
  '< HTTP/2 403\n',
  'x-ratelimit-remaining: 0\n',
  'GET /x HTTP/1.1\n',
  'This agent is not allowed to ',
  'You do not have access to the resources of this teammate',
  'https://api2.frontapp.com/conversations/cnv_a1 ',
  'curl -X POST ',
  'status: 403 ',
  'subject: ',
  'cnv_a1 ',
  '&amp;',
  '<https://a|',
  '```',
  '> ',
  '[Object]',
  '"403": {"description": "',
  'status code 429',
  '(HTTP Status: 401) ',
  'Front API error 403: ',
  'FrontError: ',
  '{...,',
  'https://api.example.org/x ',
  'Heroku::API::',
];

const hostilePaste = fc
  .record({
    parts: fc.array(fc.tuple(fc.constantFrom(...HOSTILE_FRAGMENTS), fc.integer({ min: 1, max: 4 })), {
      minLength: 1,
      maxLength: 6,
    }),
    size: fc.integer({ min: 4 * 1024, max: MAX_PASTE_BYTES }),
  })
  .map(({ parts, size }) => filled(parts.map(([fragment, times]) => fragment.repeat(times)).join(''), size));

describe('parsing work is linear in the paste', () => {
  it(`visits at most ${WORK_PER_CHAR} characters per character of a hostile paste, whatever it repeats`, () => {
    fc.assert(
      fc.property(hostilePaste, (paste) => {
        expect(workOf(paste)).toBeLessThanOrEqual(WORK_PER_CHAR * paste.length);
      }),
      { numRuns: 60 },
    );
  });

  // The pastes that cost seconds before: each escaped key unescaped up to 32 KiB, each page searched to the
  // end of the paste for its title, each hit on one long line searched for that line's ends.
  const WORST_CASES: Record<string, string> = {
    'escaped keys (1 backslash)': String.raw`\"_error\":{}`,
    'escaped keys (3 backslashes)': String.raw`\\\"_error\\\":{}`,
    'escaped keys (7 backslashes)': String.raw`\\\\\\\"_error\\\\\\\":{}`,
    'escaped keys with a status': String.raw`\"_error\":{\"status\":403}}`,
    'single-quoted bodies': `'{"_error":{}`,
    'strings left open': '{"_error":{"m":"a" x',
    'empty pages': '<html></html>',
    'status and envelope on one line': '403 Forbidden {"_error":{}} ',
    'curl -v responses': '< HTTP/2 403\n',
    'one response, many bodies on a line': 'HTTP/1.1 403 x\n\n{"_error":{}} {"_error":{}}\n',
    'wordings on one line': 'You do not have access to the resources of this teammate {"_error":{}} ',
    'Front URLs on a curl line': 'curl https://api2.frontapp.com/conversations/cnv_a1 ',
    'a sentence trailing spaces': `This agent is not allowed to ${' '.repeat(200)}x`,
    'API descriptions': '"403": {"description": "Token lacks the required x scope"} ',
    'statuses in words on one line, about Front': 'Front status code 429 ',
    'client one-liners, each with headers after':
      'Front AxiosError: Request failed with status code 429\n{ retry-after: 2 }\n',
    'wordings on lines linking elsewhere': 'Rate limit exceeded 429 https://api.example.org/x https://b.example.org/y ',
    'elided members': '{"_error":{...,...,...,"message":"x"}} ',
  };
  it.each(Object.entries(WORST_CASES))('%s, 64 KiB', (_name, unit) => {
    const paste = filled(unit, MAX_PASTE_BYTES);
    expect(workOf(paste)).toBeLessThanOrEqual(WORK_PER_CHAR * paste.length);
  });
});
