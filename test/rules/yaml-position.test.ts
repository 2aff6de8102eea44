import { locate } from '../../src/rules/yaml-position';

const doc = [
  '# a comment first', //                                   1
  'id: x', //                                               2
  'when:', //                                               3
  '  all:', //                                              4
  '    - fact: error.status', //                            5
  '      equals: 403', //                                   6
  '', //                                                    7
  '    # between items', //                                 8
  '    - any:', //                                          9
  '      - fact: error.title', //                           10
  "        matches: '(?i)x: y'", //                         11
  '      -   not: { fact: error.status, in: [1, 2] }', //   12
  '    - fact: error.message', //                           13
  '      matches: "a # not a comment"', //                  14
  'steps:', //                                              15
  '  agent:', //                                            16
  '  - first', //                                           17
  '  -', //                                                 18
  '    second', //                                          19
  '  "admin": [one, "two, three", four]', //                20
  'examples:', //                                           21
  '  match:', //                                            22
  '    - paste: |', //                                      23
  '        fact: not a key', //                             24
  '      facts: {owner.name: "A, B", "token.scopes": [x]}', // 25
  '      expect: possible', //                              26
  '    - - nested', //                                      27
  '      - deeper', //                                      28
].join('\n');

const at = (path: (string | number)[]) => locate(doc, path);

describe('locate', () => {
  it('finds top-level keys past comments', () => {
    expect(at(['id'])).toEqual({ line: 2, col: 1 });
    expect(at(['steps'])).toEqual({ line: 15, col: 1 });
  });

  it('follows block sequences of compact mappings, skipping blank and comment lines', () => {
    expect(at(['when', 'all', 0, 'equals'])).toEqual({ line: 6, col: 7 });
    expect(at(['when', 'all', 1])).toEqual({ line: 9, col: 7 });
    expect(at(['when', 'all', 1, 'any', 0, 'matches'])).toEqual({ line: 11, col: 9 });
    expect(at(['when', 'all', 2, 'matches'])).toEqual({ line: 14, col: 7 });
  });

  it('reads into flow mappings and sequences, including after extra spaces', () => {
    expect(at(['when', 'all', 1, 'any', 1, 'not'])).toEqual({ line: 12, col: 11 });
    expect(at(['when', 'all', 1, 'any', 1, 'not', 'in'])).toEqual({ line: 12, col: 38 });
    expect(at(['when', 'all', 1, 'any', 1, 'not', 'in', 1])).toEqual({ line: 12, col: 46 });
  });

  it('handles sequences level with their key, empty dash lines and quoted keys', () => {
    expect(at(['steps', 'agent', 0])).toEqual({ line: 17, col: 5 });
    expect(at(['steps', 'agent', 1])).toEqual({ line: 19, col: 5 });
    expect(at(['steps', 'admin'])).toEqual({ line: 20, col: 3 });
    expect(at(['steps', 'admin', 2])).toEqual({ line: 20, col: 32 });
  });

  it('does not mistake block scalar text for keys, and finds dotted keys in flow mappings', () => {
    expect(at(['examples', 'match', 0, 'facts'])).toEqual({ line: 25, col: 7 });
    expect(at(['examples', 'match', 0, 'facts', 'owner.name'])).toEqual({ line: 25, col: 15 });
    expect(at(['examples', 'match', 0, 'facts', 'token.scopes', 0])).toEqual({ line: 25, col: 52 });
    expect(at(['examples', 'match', 0, 'expect'])).toEqual({ line: 26, col: 7 });
  });

  it('follows nested sequences that start on the same line', () => {
    expect(at(['examples', 'match', 1, 1])).toEqual({ line: 28, col: 9 });
  });

  it('falls back to the deepest part of the path it found', () => {
    expect(at(['when', 'all', 0, 'missing'])).toEqual({ line: 5, col: 7 });
    expect(at(['when', 'all', 9])).toEqual({ line: 4, col: 3 });
    expect(at(['nothing'])).toEqual({ line: 2, col: 1 });
    expect(at(['examples', 'match', 0, 'paste', 'fact'])).toEqual({ line: 23, col: 7 });
  });

  it('answers 1:1 for an empty document, and skips a --- marker', () => {
    expect(locate('', ['id'])).toEqual({ line: 1, col: 1 });
    expect(locate('---\nid: x\ncause: y\n', ['cause'])).toEqual({ line: 3, col: 1 });
  });

  it('handles CRLF line endings', () => {
    expect(
      locate('id: x\r\nwhen:\r\n  all:\r\n    - fact: a\r\n      equals: 1\r\n', ['when', 'all', 0, 'equals']),
    ).toEqual({ line: 5, col: 7 });
  });
});
