import fc from 'fast-check';
import type { Dispatcher } from 'undici';
import {
  createFrontClient,
  createFrontDispatcher,
  frontPaths,
  InvalidFrontIdError,
  isSafeFrontPath,
  parseFrontId,
  parseTeammateRef,
  type FrontPath,
} from '../../src/front';
import { startStubServer, type StubServer } from './helpers/stub-server';

describe('parseFrontId', () => {
  test.each(['cnv_yo1kg5q', 'inb_1ix6', 'tea_6r55a', 'tim_3f', 'cnv_1', `cnv_${'z'.repeat(24)}`])(
    'accepts %s',
    (id) => {
      expect(parseFrontId(id)).toMatchObject({ ok: true, id });
    },
  );

  test('names the kind of a known prefix, and "unknown" for others', () => {
    expect(parseFrontId('msg_1')).toEqual({ ok: true, id: 'msg_1', prefix: 'msg', kind: 'message' });
    expect(parseFrontId('abcd_1')).toEqual({ ok: true, id: 'abcd_1', prefix: 'abcd', kind: 'unknown' });
  });

  test.each<[string, string, RegExp]>([
    ['', 'empty', /it is empty/],
    ['cnv_1/../teammates', 'forbidden_char', /contains "\/", which Front IDs never do/],
    ['cnv_1%2F..', 'forbidden_char', /contains "%"/],
    ['CNV_1', 'uppercase', /Front IDs are lowercase \(did you mean "cnv_1"\?\)/],
    ['cnv_1?x=1', 'forbidden_char', /contains "\?"/],
    ['cnv_1#', 'forbidden_char', /contains "#"/],
    ['cnv_1 ', 'whitespace', /whitespace/],
    [' cnv_1', 'whitespace', /whitespace/],
    ['cnv_\t1', 'whitespace', /whitespace/],
    ['cnv_1\n', 'whitespace', /whitespace/],
    ['\u0441nv_1', 'non_ascii', /non-ASCII character U\+0441 \(a lookalike letter\?\)/], // Cyrillic es
    ['cnv_\uff11', 'non_ascii', /U\+FF11/], // fullwidth digit one
    ['cnv_1\u200b', 'non_ascii', /U\+200B/], // zero-width space
    ['cnv_1\u00a0', 'non_ascii', /U\+00A0/],
    ['cnv-1', 'forbidden_char', /contains "-"/],
    ['cnv_', 'bad_format', /expected a 2–4 letter prefix/],
    ['c_1', 'bad_format', /prefix/],
    ['cnvxx_1', 'bad_format', /prefix/],
    ['cnv__1', 'bad_format', /prefix/],
    [`cnv_${'a'.repeat(25)}`, 'bad_format', /prefix/],
    ['x'.repeat(5000), 'too_long', /at most 29 characters/],
  ])('rejects %j (%s)', (input, reason, message) => {
    const parsed = parseFrontId(input);
    expect(parsed).toMatchObject({ ok: false, reason });
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  test('a long input is shown truncated in the message', () => {
    const parsed = parseFrontId('x'.repeat(5000));
    expect(!parsed.ok && parsed.message.length).toBeLessThan(120);
  });

  test('checks the expected prefix and says what was given instead', () => {
    expect(parseFrontId('msg_1', 'cnv')).toEqual({
      ok: false,
      reason: 'wrong_prefix',
      message: '"msg_1" is not a conversation ID (cnv_…): it is a message ID',
    });
    expect(parseFrontId('zzz_1', 'tea')).toMatchObject({
      reason: 'wrong_prefix',
      message: expect.stringContaining('unknown prefix zzz_'),
    });
  });

  test('property: whatever is accepted is exactly prefix_base36, and its path is safe', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[a-z]{2,4}_[0-9a-z]{1,24}$/),
          fc.constantFrom('cnv_1', 'cnv_1/..', 'cnv_%2e'),
        ),
        (input) => {
          const parsed = parseFrontId(input);
          expect(parsed.ok).toBe(/^[a-z]{2,4}_[0-9a-z]{1,24}$/.test(input));
          if (parsed.ok && parsed.prefix === 'cnv') expect(isSafeFrontPath(frontPaths.conversation(input))).toBe(true);
        },
      ),
    );
  });
});

describe('parseTeammateRef', () => {
  test('takes a teammate ID, an alt:email alias, or a bare email', () => {
    expect(parseTeammateRef('tea_6r55a')).toEqual({ ok: true, ref: 'tea_6r55a', kind: 'id' });
    expect(parseTeammateRef('alt:email:leela@planet-express.com')).toEqual({
      ok: true,
      ref: 'alt:email:leela@planet-express.com',
      kind: 'email',
    });
    expect(parseTeammateRef('fry+1@planet-express.com')).toEqual({
      ok: true,
      ref: 'alt:email:fry+1@planet-express.com',
      kind: 'email',
    });
  });

  test.each([
    'alt:email:a@b.com/../../me',
    'alt:email:a@b.com?x=1',
    'alt:email:a%40b.com',
    'alt:email:a@b',
    'alt:email:"a b"@c.com',
    'a@b..com',
    'alt:email:l\u0435ela@b.com',
    'alt:phone:123',
    'cnv_1',
  ])('rejects %j', (input) => {
    expect(parseTeammateRef(input).ok).toBe(false);
  });
});

describe('frontPaths', () => {
  test('builds the probe paths', () => {
    expect(frontPaths.me()).toBe('/me');
    expect(frontPaths.conversation('cnv_yo1kg5q')).toBe('/conversations/cnv_yo1kg5q');
    expect(frontPaths.conversationInboxes('cnv_yo1kg5q')).toBe('/conversations/cnv_yo1kg5q/inboxes');
    expect(frontPaths.teammates()).toBe('/teammates');
    expect(frontPaths.teammate('tea_1')).toBe('/teammates/tea_1');
    expect(frontPaths.teammatePrivateInboxes('tea_1')).toBe('/teammates/tea_1/private_inboxes');
    expect(frontPaths.teams()).toBe('/teams');
  });

  test('percent-encodes the email of an alias, and only that', () => {
    expect(frontPaths.teammate('alt:email:leela@planet-express.com')).toBe(
      '/teammates/alt:email:leela%40planet-express.com',
    );
    expect(frontPaths.teammatePrivateInboxes('fry+1@planet-express.com')).toBe(
      '/teammates/alt:email:fry%2B1%40planet-express.com/private_inboxes',
    );
  });

  test('throws InvalidFrontIdError with the reason, and wrong prefixes per endpoint', () => {
    expect(() => frontPaths.conversation('tea_1')).toThrow(
      new InvalidFrontIdError('wrong_prefix', '"tea_1" is not a conversation ID (cnv_…): it is a teammate ID'),
    );
    expect(() => frontPaths.teammate('cnv_1')).toThrow(InvalidFrontIdError);
    try {
      frontPaths.conversationInboxes('cnv_1/../../teammates');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidFrontIdError);
      expect(err).toMatchObject({ name: 'InvalidFrontIdError', reason: 'forbidden_char' });
    }
    expect.assertions(4);
  });
});

describe('malicious IDs never reach the server', () => {
  let server: StubServer;
  let dispatcher: Dispatcher;
  beforeAll(async () => {
    server = await startStubServer();
    dispatcher = createFrontDispatcher();
  });
  afterAll(async () => {
    await dispatcher.close();
    await server.close();
  });

  const malicious = [
    'cnv_1/../teammates',
    'cnv_1%2F..',
    'cnv_1%2f..%2fme',
    'CNV_1',
    'cnv_1?x=1',
    'cnv_1#',
    'cnv_1 ',
    'cnv 1',
    '\u0441nv_1',
    'cnv_\u0661',
    '../me',
    'cnv_1\r\nHost: evil',
    '',
  ];
  const builders = [
    frontPaths.conversation,
    frontPaths.conversationInboxes,
    frontPaths.teammate,
    frontPaths.teammatePrivateInboxes,
  ];

  test('every builder refuses every one of them, and the server sees no request', async () => {
    const client = createFrontClient({ baseUrl: server.url, token: 'tok-1234567890', dispatcher });
    for (const build of builders) {
      for (const id of malicious) {
        await expect(async () => client.get(build(id), { deadline: Date.now() + 1000 })).rejects.toThrow(
          InvalidFrontIdError,
        );
      }
    }
    expect(server.hitCount()).toBe(0);
  });

  test('a forged FrontPath (a cast around the builders) is refused by the client too', async () => {
    const client = createFrontClient({ baseUrl: server.url, token: 'tok-1234567890', dispatcher });
    for (const forged of [
      '/conversations/../me',
      '//evil.example/me',
      'me',
      '/conversations/cnv_1?x=1',
      '/teammates/a%2F..',
      '/conversations/cnv_1#x',
      'http://evil.example/me',
    ]) {
      await expect(client.get(forged as FrontPath, { deadline: Date.now() + 1000 })).rejects.toThrow(
        'refusing a request path not built by frontPaths',
      );
    }
    expect(server.hitCount()).toBe(0);
  });
});
