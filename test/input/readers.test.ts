import { parseLoose } from '../../src/input/loose-json';
import { excerpt, redactSecrets } from '../../src/input/excerpt';
import { unescapeLayers } from '../../src/input/json-unescape';

/** Maps → plain objects, so expectations read like the literals they came from. */
function plain(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

describe('the forgiving object reader', () => {
  it.each([
    ['JSON', '{"a":1,"b":[true,null,"x"]}', { a: 1, b: [true, null, 'x'] }],
    ['JS literal', "{ a: 'x', b: -2.5e1, c: undefined, }", { a: 'x', b: -25, c: null }],
    ['Python repr', "{'a': True, 'b': None, 'c': 'it\\'s'}", { a: true, b: null, c: "it's" }],
    ['Ruby hash', '{:a=>1, "b"=>nil, c: :sym}', { a: 1, b: null, c: 'sym' }],
    ['lost colons', '{"a"1,"b""x"}', { a: 1, b: 'x' }],
    ['unescaped inner quotes', '{"m":"say "hi" now","n":2}', { m: 'say "hi" now', n: 2 }],
    ['escapes', String.raw`{"m":"tab\there \u00e9 \"q\" \\"}`, { m: 'tab\there é "q" \\' }],
    ['string concatenation', "{ m: 'ab' +\n  'cd' }", { m: 'abcd' }],
    ['util.inspect placeholders', '{ a: [Object], b: [Array] }', { a: [undefined], b: [undefined] }],
  ])('reads %s', (_name, src, expected) => {
    const result = parseLoose(src, 0);
    expect(plain(result.value)).toEqual(expected);
    expect(result.complete).toBe(true);
    expect(result.end).toBe(src.length);
  });

  it('stops at the first unreadable thing and keeps what it had', () => {
    const result = parseLoose('{"a":1,"b":"cut here\n,"c":3}', 0);
    expect(plain(result.value)).toEqual({ a: 1, b: 'cut here' });
    expect(result.complete).toBe(false);
  });

  it('refuses to nest without bound', () => {
    const result = parseLoose('['.repeat(10000), 0);
    expect(result.complete).toBe(false);
  });
});

describe('strings inside strings', () => {
  it('unescapes layers and maps positions back to the paste', () => {
    const src = String.raw`x"{\"a\":\"b\"}"`;
    const layer = unescapeLayers(src, 2, src.length, 1);
    expect(layer.text).toBe('{"a":"b"}');
    expect(src.charAt(layer.toSource(layer.text.length - 1))).toBe('}');
    expect(layer.toSource(layer.text.length)).toBe(src.length - 1);
  });
});

describe('excerpts', () => {
  it('blanks out bearer tokens, JWTs and secret fields', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJmcm9udCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    expect(redactSecrets(`authorization: Bearer ${jwt}`)).toBe('authorization: Bearer [redacted]');
    expect(redactSecrets(`token=${jwt} next`)).toBe('token=[redacted] next');
    expect(redactSecrets(`the customer pasted ${jwt} here`)).toBe('the customer pasted [redacted token] here');
    expect(redactSecrets("{ api_key: 'k_live_123456', user: 'dana' }")).toBe("{ api_key: '[redacted]', user: 'dana' }");
    expect(redactSecrets('Token lacks the required `inboxes:read` scope')).toBe(
      'Token lacks the required `inboxes:read` scope',
    );
  });

  it('collapses whitespace and cuts at 300 characters with an ellipsis', () => {
    const quoted = excerpt(`a\n\n  b ${'c'.repeat(400)}`);
    expect(quoted.startsWith('a b ccc')).toBe(true);
    expect(quoted).toHaveLength(300);
    expect(quoted.endsWith('…')).toBe(true);
  });

  it('does not split a surrogate pair when cutting', () => {
    const quoted = excerpt('x'.repeat(298) + '😀😀😀');
    expect(quoted).toBe(`${'x'.repeat(298)}…`);
  });
});
