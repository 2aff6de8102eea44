import fc from 'fast-check';
import { redactCounting, redactParsedJson, redactSecrets, type RedactOptions } from '../src/redact';
import { makeJwt } from './front/helpers/jwt';

const TOKEN = makeJwt({ iss: 'front', sub: 'acme', scopes: ['shared:*', 'private:*'], jti: 'CANARYCANARY0003' });
const SIGNATURE = TOKEN.split('.')[2]!;

describe('secrets found by their shape', () => {
  test.each([
    ['glued after a name', `FRONT_TOKEN=${TOKEN}`, 'FRONT_TOKEN=[redacted token]'],
    ['with a trailing dot', `${TOKEN}.`, '[redacted token].'],
    ['at the end of a path', `/hooks/${TOKEN}?x=1`, '/hooks/[redacted token]?x=1'],
    ['between = and ;', `x=${TOKEN};`, 'x=[redacted token];'],
    ['glued inside a word', `abc${TOKEN}def`, 'abc[redacted token]'],
    ['without its signature', TOKEN.split('.').slice(0, 2).join('.'), '[redacted token]'],
    ['JSON-escaped first character', `"\\u0065${TOKEN.slice(1)}"`, '"[redacted token]"'],
    ['after Bearer', `Authorization: Bearer ${TOKEN}`, 'Authorization: Bearer [redacted]'],
    ['after bearer, any value', 'authorization: bearer abcdefgh12345678', 'authorization: bearer [redacted]'],
    ['after Basic', 'Basic dXNlcjpwYXNzd29yZA==', 'Basic [redacted]'],
    ['after Basic, cut short', 'Authorization: basic dXNlcjpwYXNz', 'Authorization: basic [redacted]'],
    ['a Slack bot token', 'SLACK_BOT_TOKEN=xoxb-1234567890-abcdefghij done', 'SLACK_BOT_TOKEN=[redacted token] done'],
    ['a Slack app token', 'xapp-1-A0123-456-abcdef', '[redacted token]'],
  ])('%s', (_name, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  test('ordinary text, Front IDs and placeholders are left alone', () => {
    const texts = [
      'GET /conversations/cnv_yo1kg5q answered 403 for tea_6r55b',
      'curl -H "Authorization: Bearer $FRONT_TOKEN" https://api2.frontapp.com/me',
      'the Bearer token',
      'turkeyJerky.example.com and monkeyJar.example.org',
      'eyJhbGciOiJIUzI1NiJ9 (a JWT header alone)',
      'token eyJh…9fQx (a masked token)',
      'Token lacks the required `inboxes:read` scope',
      'copy the "Signing Secret" from your Slack app\'s Basic Information page',
      'Basic Settings and Basic Authentication',
    ];
    for (const text of texts) expect(redactSecrets(text)).toBe(text);
  });

  test('pairs are redacted only when asked (pastes)', () => {
    const paste = `{ api_key: 'k_live_123456', user: 'dana' } password=hunter2 "access_token": "abc" token: Bearer xyz`;
    expect(redactSecrets(paste, { pairs: true })).toBe(
      `{ api_key: '[redacted]', user: 'dana' } password=[redacted] "access_token": "[redacted]" token: Bearer [redacted]`,
    );
    expect(redactSecrets(paste)).toBe(paste);
    expect(redactSecrets(`token=${TOKEN} next`, { pairs: true })).toBe('token=[redacted] next');
  });

  test('a Bearer value in a pair keeps the character that closes it', () => {
    const pasted = [
      '`Authorization: Bearer k_live_1234567890`',
      `(Authorization: Bearer ${TOKEN})`,
      "{'Authorization': 'Bearer k_live_1234567890'}",
    ].join('\n');
    expect(redactSecrets(pasted, { pairs: true })).toBe(
      [
        '`Authorization: Bearer [redacted]`',
        '(Authorization: Bearer [redacted])',
        "{'Authorization': 'Bearer [redacted]'}",
      ].join('\n'),
    );
    // A percent-encoded character carries the value on: all of it is still redacted.
    expect(redactSecrets('Authorization: Bearer k_live_1234%2F567890 next', { pairs: true })).toBe(
      'Authorization: Bearer [redacted] next',
    );
  });
});

describe('a known token and its altered forms', () => {
  const known: RedactOptions = { known: [TOKEN], shapes: false, knownMask: '<masked>' };

  test.each([
    ['exact', TOKEN],
    ['cut short by one character', TOKEN.slice(0, -1)],
    ['cut short in its signature', TOKEN.slice(0, -20)],
    ['changed in its signature', `${TOKEN.slice(0, -10)}Q${TOKEN.slice(-9)}`],
    ['its signature alone', SIGNATURE],
    ['its signature cut short', SIGNATURE.slice(0, -3)],
  ])('%s', (_name, form) => {
    expect(redactSecrets(`bad token ${form}; retry`, known)).toBe('bad token <masked>; retry');
  });

  test('changed in its claims: the signature still goes', () => {
    const changed = `${TOKEN.slice(0, 60)}Q${TOKEN.slice(61)}`;
    const out = redactSecrets(`bad token ${changed}; retry`, known);
    expect(out).toBe(`bad token ${changed.slice(0, -SIGNATURE.length)}<masked>; retry`);
  });

  test('another JWT signed the same way is not taken for the token (their first segments are equal)', () => {
    const other = makeJwt({ iss: 'front', sub: 'globex' });
    expect(redactSecrets(`other ${other}`, known)).toBe(`other ${other}`);
    expect(redactSecrets('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 is the usual header', known)).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 is the usual header',
    );
  });

  test('a very short known value is redacted where it stands alone, not inside the words that contain it', () => {
    const short: RedactOptions = { known: ['tok'], shapes: false };
    expect(redactSecrets('Token tok: refused. Fix the token, or store it with --force.', short)).toBe(
      'Token [redacted token]: refused. Fix the token, or store it with --force.',
    );
    expect(redactSecrets('FRONT_API_TOKEN=tok "tok" (tok) tok_1 Stoker tokén', short)).toBe(
      'FRONT_API_TOKEN=[redacted token] "[redacted token]" ([redacted token]) [redacted token]_1 Stoker tokén',
    );
    // From eight characters on, a value is taken for the secret wherever it appears, glued to words or not.
    expect(redactSecrets('xsecret12y', { known: ['secret12'], shapes: false })).toBe('x[redacted token]y');
  });

  test('after JSON parsing: escaped forms, keys, a __proto__ key, deep nesting', () => {
    const raw = `{"_error":{"message":"bad \\u0065${TOKEN.slice(1)}"},"${TOKEN}":1,"__proto__":"${TOKEN}","list":[["${SIGNATURE}"]]}`;
    // The escape hides the token's first two segments from a pass over the raw text.
    expect(redactSecrets(raw, known)).toContain(`\\u0065${TOKEN.slice(1, 40)}`);
    const parsed = redactParsedJson(JSON.parse(raw) as unknown, known);
    const out = JSON.stringify(parsed);
    expect(out).not.toContain(SIGNATURE.slice(0, 16));
    expect(out).toContain('"bad <masked>"');
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe('<masked>');

    let deep: unknown = TOKEN;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    let node = redactParsedJson(deep, known);
    while (Array.isArray(node)) node = node[0] as unknown;
    expect(node).toBe('<masked>');
  });

  test('a secret added to the list after a first use is redacted from then on', () => {
    const secrets: string[] = ['first-secret-value'];
    const options: RedactOptions = { known: secrets, shapes: false };
    expect(redactSecrets('first-secret-value second-secret-value', options)).toBe(
      '[redacted token] second-secret-value',
    );
    secrets.push('second-secret-value');
    expect(redactSecrets('first-secret-value second-secret-value', options)).toBe('[redacted token] [redacted token]');
  });
});

describe('a token split by a line break', () => {
  const [header, payload] = TOKEN.split('.') as [string, string];
  const cut = (text: string, at: number, br = '\n') => `${text.slice(0, at)}${br}${text.slice(at)}`;
  test.each([
    ['in its signature', cut(TOKEN, TOKEN.length - 20)],
    ['in its signature, CRLF and an indented next line', cut(TOKEN, TOKEN.length - 30, '\r\n    ')],
    ['right after the second dot', cut(TOKEN, header.length + payload.length + 2)],
    ['right before the second dot', cut(TOKEN, header.length + payload.length + 1)],
    ['in its payload', cut(TOKEN, header.length + 8)],
    ['in its header', cut(TOKEN, 6)],
  ])('%s: none of it is left', (_name, split) => {
    const out = redactSecrets(`token ${split} ok`);
    expect(out).toContain('[redacted token]');
    expect(out).not.toContain(SIGNATURE.slice(-8));
    expect(out).not.toContain(SIGNATURE.slice(0, 8));
    expect(out).not.toContain(payload.slice(-6));
    expect(out).toMatch(/ ok$/);
  });

  test('after Bearer, split in the signature', () => {
    const out = redactSecrets(`Authorization: Bearer ${cut(TOKEN, TOKEN.length - 10)} next line`);
    expect(out).not.toContain(SIGNATURE.slice(-10));
    expect(out).toContain('next line');
  });

  test('a whole token keeps the next line as it is', () => {
    expect(redactSecrets(`${TOKEN}\nThanks for looking`)).toBe('[redacted token]\nThanks for looking');
    expect(redactSecrets(`Authorization: Bearer ${TOKEN}\nAccept: */*`)).toBe(
      'Authorization: Bearer [redacted]\nAccept: */*',
    );
  });
});

describe('the redactor reads each character a bounded number of times', () => {
  // Pieces that made the regular expressions it replaced backtrack, and pieces of every rule it has.
  const hostile = fc.constantFrom(
    '-eyJ',
    'eyJ.eyJ.',
    'eyJaaaaaaaaaa.',
    'eyJaaaaaaaaaa.bbbbbbb',
    'eyJaaaaaaaaaa.bbbbbbb.\n',
    'aaaa\n',
    '\r\n  ',
    '\\u0065yJ',
    'Bearer ',
    'bearer\t',
    'Basic ',
    'xoxb-',
    'xoxb-123',
    'token=',
    'api_key: "',
    'access_token',
    'a ',
    '.',
    TOKEN.slice(0, 19),
    TOKEN.slice(0, 25),
    SIGNATURE.slice(0, 19),
  );
  const text = fc
    .array(fc.tuple(hostile, fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.map(([p, n]) => p.repeat(n)).join(''));
  const modes: [string, RedactOptions, number][] = [
    ['shapes', {}, 8],
    ['shapes and pairs', { pairs: true }, 16],
    ['shapes, pairs and a known token', { pairs: true, known: [TOKEN] }, 64],
    ['a known token only', { known: [TOKEN], shapes: false }, 48],
  ];

  test.each(modes)('%s: at most k × length', (_name, options, k) => {
    fc.assert(
      fc.property(text, (input) => {
        const { visited } = redactCounting(input, options);
        expect(visited).toBeLessThanOrEqual(k * input.length + 64);
        // A scan by shape reads every character at least once: a meter counting less would let any redactor pass.
        // (A known token absent from the text costs one native search, which is not counted.)
        expect(visited).toBeGreaterThanOrEqual(options.shapes === false ? 0 : input.length);
      }),
      { numRuns: 300 },
    );
  });

  test('64 KiB of `-eyJ`: the same work per character as 1 KiB', () => {
    const per = (n: number) => redactCounting('-eyJ'.repeat(n / 4), { pairs: true }).visited / n;
    expect(per(64 * 1024)).toBeLessThanOrEqual(per(1024) * 1.01);
    expect(per(64 * 1024)).toBeLessThanOrEqual(4);
  });
});
