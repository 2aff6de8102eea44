import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { diagnose } from '../src/diagnosis';
import { MAX_PASTE_BYTES, parsePaste } from '../src/input';
import { loadRulesOrThrow, loadRuleTests, type Rule } from '../src/rules';
import { SANDBOX_SCENARIOS } from '../src/sandbox';
import { seededRandom } from '../src/sandbox/faults';
import { ROOT } from './serve-process';
import { median, round } from './stats';

/** Generated pastes in the corpus, on top of every rule example and sandbox scenario. */
const GENERATED = 3_000;
/** Each throughput figure is measured over at least this long (whole passes over the corpus), at most 3 passes. */
const MIN_MEASURE_MS = 1_000;

export interface ThroughputFigures {
  pastes: number;
  /** Share of the corpus in which the parser found a Front error. */
  withErrorShare: number;
  /** Share for which the offline diagnosis named at least one cause. */
  diagnosedShare: number;
  medianChars: number;
  /** parsePaste alone. */
  parsePerSec: number;
  /** parsePaste + matchRules, as `diagnose(text, { rules })` runs them offline. */
  parseAndMatchPerSec: number;
  hostile: HostileFigures;
}

/** The slowest hostile 64 KiB paste against a benign one of the same size. */
export interface HostileFigures {
  /** Median ms to parse 64 KiB of the corpus (real pastes one after another: a long log full of errors). */
  benignMs: number;
  /** The hostile paste that took longest, and its median ms. */
  worst: string;
  worstMs: number;
  /** worstMs / benignMs. */
  ratio: number;
  pastes: number;
}

/**
 * Pastes built to make a reader rescan: each repeats one piece to 64 KiB. Before parsing was made linear, the
 * escaped keys took seconds each (every key unescaped up to 32 KiB) and the pages a quarter second.
 */
export const HOSTILE_PIECES: Record<string, string> = {
  'escaped keys, 1 backslash': String.raw`\"_error\":{}`,
  'escaped keys, 3 backslashes': String.raw`\\\"_error\\\":{}`,
  'escaped keys, 7 backslashes': String.raw`\\\\\\\"_error\\\\\\\":{}`,
  'escaped keys, open': String.raw`\"_error\":{`,
  'single-quoted bodies': `'{"_error":{}`,
  'empty HTML pages': '<html></html>',
  'unclosed envelopes': '{"_error":{',
  'strings left open': '{"_error":{"m":"a" x',
  'status lines': 'HTTP/1.1 403 Forbidden\n',
  'curl -v status lines': '< HTTP/2 403\n',
  'text errors': '403 Forbidden\n',
  'status and envelope on one line': '403 Forbidden {"_error":{}} ',
  'wordings on one line': 'You do not have access to the resources of this teammate {"_error":{}} ',
  'Front URLs on a curl line': 'curl https://api2.frontapp.com/conversations/cnv_a1 ',
  'trailing spaces': `This agent is not allowed to ${' '.repeat(200)}x`,
  entities: '&amp;',
  IDs: 'cnv_a1 ',
};

function filledTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** Median ms of `runs` parses of `text`, after one warm-up. */
function parseMs(text: string, runs = 9): number {
  parsePaste(text);
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    parsePaste(text);
    times.push(performance.now() - started);
  }
  return median(times);
}

export function benchHostile(corpus: string[]): HostileFigures {
  // Whole pastes, as many as fit under the size limit (in UTF-8 bytes: the corpus has smart quotes).
  let benign = '';
  for (let i = 0; ; i += 1) {
    const next = `${benign}${corpus[i % corpus.length]}\n\n`;
    if (Buffer.byteLength(next, 'utf8') > MAX_PASTE_BYTES) break;
    benign = next;
  }
  const benignMs = parseMs(benign);
  let worst = '';
  let worstMs = 0;
  for (const [name, piece] of Object.entries(HOSTILE_PIECES)) {
    const ms = parseMs(filledTo(piece, MAX_PASTE_BYTES));
    if (ms > worstMs) {
      worst = name;
      worstMs = ms;
    }
  }
  return {
    benignMs: round(benignMs, 2),
    worst,
    worstMs: round(worstMs, 2),
    ratio: round(worstMs / benignMs, 2),
    pastes: Object.keys(HOSTILE_PIECES).length,
  };
}

export interface RulesLoadFigures {
  rules: number;
  /** loadRulesOrThrow in a fresh process (js-yaml and zod cold), median of 3. */
  coldMs: number;
  /** In this process, once warm, median of 5. */
  warmMs: number;
}

export function rulesDir(): string {
  return path.join(ROOT, 'rules');
}

/** A few thousand pastes of the shapes agents paste, made deterministically (the same corpus every run). */
export function pasteCorpus(rules: Rule[]): string[] {
  const random = seededRandom(20_260_306);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const id = (prefix: string) =>
    `${prefix}_${Math.floor(random() * 36 ** 6)
      .toString(36)
      .padStart(6, '0')}`;

  const errors: readonly [number, string, (cnv: string) => string][] = [
    [403, 'Forbidden', (cnv) => `This agent is not allowed to read the \\"conversation\\" with ID: \\"${cnv}\\"`],
    [403, 'Forbidden', () => 'You do not have access to the resources of this teammate'],
    [403, 'Forbidden', () => 'Token lacks the required `inboxes:read` scope'],
    [403, 'Forbidden', () => 'This feature is not enabled for your company'],
    [401, 'Unauthenticated', () => 'JSON Web Token error'],
    [401, 'Unauthenticated', () => 'Token has expired'],
    [404, 'Not found', (cnv) => `Unknown conversation ID ${cnv}`],
    [
      429,
      'Too many requests',
      () => `Rate limit exceeded. Please retry in ${Math.floor(random() * 60_000)} milliseconds.`,
    ],
    [429, 'Too many requests', () => 'Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.'],
    [400, 'Bad request', () => 'body.to must be an array'],
    [409, 'Conflict', () => 'The conversation is already archived'],
  ];
  const paths = (cnv: string) => [
    `/conversations/${cnv}`,
    `/conversations/${cnv}/inboxes`,
    `/conversations/${cnv}/messages`,
    `/teammates/${id('tea')}/private_inboxes`,
    '/me',
  ];
  const chatter = [
    'hey team,',
    'customer says this started yesterday:',
    'any idea?',
    'cc @support-leads',
    'their integration logs show',
    'thanks!',
    '',
    'see below',
  ];

  const shapes: ((cnv: string) => string)[] = [
    (cnv) => envelope(pick(errors), cnv),
    (cnv) => {
      const error = pick(errors);
      return `GET https://api2.frontapp.com${pick(paths(cnv))}\n${error[0]} ${envelope(error, cnv)}`;
    },
    (cnv) => {
      const error = pick(errors);
      const headers =
        error[0] === 429
          ? `x-ratelimit-limit: 50\nx-ratelimit-remaining: 0\nx-ratelimit-reset: 1718200160\nretry-after: 21\n`
          : 'x-ratelimit-limit: 100\nx-ratelimit-remaining: 87\n';
      return `$ curl -i https://api2.frontapp.com${pick(paths(cnv))} -H "Authorization: Bearer $FRONT_TOKEN"\nHTTP/2 ${error[0]}\ncontent-type: application/json; charset=utf-8\n${headers}\n${envelope(error, cnv)}`;
    },
    (cnv) =>
      `2026-03-02 10:14:07,${String(Math.floor(random() * 1000)).padStart(3, '0')} ERROR sync.front: GET https://api2.frontapp.com${pick(paths(cnv))} failed: ${envelope(pick(errors), cnv)}`,
    (cnv) => {
      const error = pick(errors);
      return `Error: Request failed with status code ${error[0]}\n    at createError (node_modules/axios/lib/core/createError.js:16:15)\n    at settle (node_modules/axios/lib/core/settle.js:17:12)\n    at syncConversation (/app/src/front.js:88:11)\n  response: { status: ${error[0]}, data: ${envelope(error, cnv)} }`;
    },
    (cnv) =>
      `requests.exceptions.HTTPError: ${pick([403, 401, 404, 429])} Client Error: ${pick(['Forbidden', 'Unauthorized', 'Not Found', 'Too Many Requests'])} for url: https://api2.frontapp.com${pick(paths(cnv))}`,
    // Slack's escaping and smart quotes, as a paste arrives in a message event.
    (cnv) =>
      envelope(pick(errors), cnv).replace(/\\"/g, '“').replace(/"/g, '”').replace(/&/g, '&amp;').replace(/</g, '&lt;'),
    // Forum-mangled: quotes escaped twice, inside a code fence.
    (cnv) => `\`\`\`\n${envelope(pick(errors), cnv).replace(/"/g, '\\"')}\n\`\`\``,
    (cnv) => `https://app.frontapp.com/open/${cnv}`,
    (cnv) => `can you check ${cnv} and ${id('cnv')}? the customer gets errors on both`,
    () =>
      `GET /conversations/${id('cnv')} -> ${pick([502, 503])}\n<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>`,
    () =>
      pick([
        'the sync has been flaky since Monday, no error shown',
        'Can someone re-run the export for Globex?',
        'lunch at 12:30?',
      ]),
  ];

  const generated = Array.from({ length: GENERATED }, () => {
    const cnv = id('cnv');
    const body = pick(shapes)(cnv);
    const before = random() < 0.3 ? `${pick(chatter)}\n` : '';
    const after = random() < 0.2 ? `\n${pick(chatter)}` : '';
    return `${before}${body}${after}`;
  });
  const tests = loadRuleTests(rulesDir(), rules);
  const examples = tests.ok ? tests.tests.map((test) => test.paste) : [];
  return [...generated, ...examples, ...SANDBOX_SCENARIOS.map((s) => s.input)];
}

function envelope([status, title, message]: readonly [number, string, (cnv: string) => string], cnv: string): string {
  return `{"_error":{"status":${status},"title":"${title}","message":"${message(cnv)}"}}`;
}

/**
 * Inputs per second for `work` over `corpus`: whole passes, at least MIN_MEASURE_MS, after warming up for as long.
 * V8 takes several thousand pastes to settle on optimised code (one pass over the corpus is not enough: the next
 * few run up to half as fast again), and `serve` runs for days, so the figure is the settled rate.
 */
async function rate(corpus: string[], work: (text: string) => unknown): Promise<number> {
  const warming = performance.now();
  do for (const text of corpus) await work(text);
  while (performance.now() - warming < MIN_MEASURE_MS);
  let done = 0;
  const started = performance.now();
  do {
    for (const text of corpus) await work(text);
    done += corpus.length;
  } while (performance.now() - started < MIN_MEASURE_MS && done < corpus.length * 3);
  return done / ((performance.now() - started) / 1000);
}

export async function benchThroughput(rules: Rule[]): Promise<ThroughputFigures> {
  const corpus = pasteCorpus(rules);
  let withError = 0;
  let diagnosed = 0;
  for (const text of corpus) {
    const parsed = parsePaste(text);
    if (parsed.ok && parsed.errors.length > 0) withError += 1;
    const outcome = await diagnose(text, { rules });
    if (outcome.ok && outcome.diagnoses.length > 0) diagnosed += 1;
  }
  return {
    pastes: corpus.length,
    withErrorShare: round(withError / corpus.length, 2),
    diagnosedShare: round(diagnosed / corpus.length, 2),
    medianChars: median(corpus.map((text) => text.length)),
    parsePerSec: Math.round(await rate(corpus, (text) => parsePaste(text))),
    parseAndMatchPerSec: Math.round(await rate(corpus, (text) => diagnose(text, { rules }))),
    hostile: benchHostile(corpus),
  };
}

export function benchRulesLoad(): RulesLoadFigures {
  const dir = rulesDir();
  const warm: number[] = [];
  let count = 0;
  for (let i = 0; i < 5; i += 1) {
    const started = performance.now();
    count = loadRulesOrThrow(dir).length;
    warm.push(performance.now() - started);
  }
  // A fresh process, as `serve` starts: the rules module is loaded first, then timed.
  const script = `const { loadRulesOrThrow } = require(${JSON.stringify(path.join(__dirname, '../src/rules'))}); const t = performance.now(); loadRulesOrThrow(${JSON.stringify(dir)}); process.stdout.write(String(performance.now() - t));`;
  const cold: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`timing loadRulesOrThrow in a fresh process failed: ${result.stderr}`);
    cold.push(Number(result.stdout));
  }
  return { rules: count, coldMs: round(median(cold), 1), warmMs: round(median(warm), 1) };
}
