import { distinctIds, isFrontId, scanFrontIds } from '../../src/input';
import { idList, parsed } from './helpers';

describe('Front IDs', () => {
  it('finds IDs of every listed prefix with their kinds', () => {
    const text = 'cnv_yo1kg5q msg_1ab inb_1ix6 tea_6r55a tim_4r2 cha_9p tag_2kq cmp_3c com_7f crd_11z';
    expect(distinctIds(scanFrontIds(text)).map((r) => [r.id, r.kind])).toEqual([
      ['cnv_yo1kg5q', 'conversation'],
      ['msg_1ab', 'message'],
      ['inb_1ix6', 'inbox'],
      ['tea_6r55a', 'teammate'],
      ['tim_4r2', 'team'],
      ['cha_9p', 'channel'],
      ['tag_2kq', 'tag'],
      ['cmp_3c', 'company'],
      ['com_7f', 'comment'],
      ['crd_11z', 'contact'],
    ]);
  });

  it('keeps an unlisted prefix as unknown when the rest looks generated', () => {
    expect(parsed('the shift shf_3k9x2 started').ids).toEqual([
      { id: 'shf_3k9x2', prefix: 'shf', kind: 'unknown', fromLink: false },
    ]);
  });

  it("names the kinds of a teammate's own resources: rules, message templates, signatures", () => {
    expect(parsed('rul_3k9x2 rsp_16yc sig_6rrv2').ids.map((ref) => ref.kind)).toEqual([
      'rule',
      'message template',
      'signature',
    ]);
  });

  it('reads a bare ID of each kind that can be private, typed alone or as an app link, with its kind', () => {
    const typed = ['msg_1q15qmtq', 'com_1a2b3c', 'inb_1ixb', 'tag_3b0c1', 'crd_2njtoez', 'rsp_16yc', 'sig_7a1b'];
    for (const id of [...typed, 'cha_1ab3', 'rul_58xhq']) expect(parsed(id).ids.map((r) => r.id)).toEqual([id]);
    expect(parsed('https://app.frontapp.com/open/tag_3b0c1').ids).toEqual([
      { id: 'tag_3b0c1', prefix: 'tag', kind: 'tag', fromLink: true },
    ]);
    expect(parsed('  rsp_16yc\n').ids.map((r) => r.kind)).toEqual(['message template']);
    expect(parsed('msg_').ids).toEqual([]);
  });

  it('does not take snake_case words, encodings or uppercase for IDs', () => {
    expect(
      idList('is_private has_more tag_ids msg_id utf_8 sha_256 created_at cnv_1ABC CNV_abc my_cnv_1 _cnv_1 read_only'),
    ).toEqual([]);
  });

  it('lists each ID once, in order of first appearance, from a link if any occurrence is', () => {
    const paste = 'cnv_b1 then cnv_a1 then https://app.frontapp.com/open/cnv_b1 again cnv_a1';
    expect(parsed(paste).ids).toEqual([
      { id: 'cnv_b1', prefix: 'cnv', kind: 'conversation', fromLink: true },
      { id: 'cnv_a1', prefix: 'cnv', kind: 'conversation', fromLink: false },
    ]);
  });

  it('takes the IDs of app links of any shape, and not API links as app links', () => {
    const paste = [
      'https://app.frontapp.com/inboxes/teams/folders/4231/unassigned/t/cnv_9kq1/msg_2ab',
      'https://acme.api.frontapp.com/conversations/cnv_api1',
      'https://api2.frontapp.com/inboxes/inb_1ix6',
    ].join('\n');
    expect(parsed(paste).ids.map((r) => [r.id, r.fromLink])).toEqual([
      ['cnv_9kq1', true],
      ['msg_2ab', true],
      ['cnv_api1', false],
      ['inb_1ix6', false],
    ]);
  });

  it('finds an ID inside JSON strings, paths and escaped quotes', () => {
    expect(idList(String.raw`{"message":"with ID: \"cnv_e1\"","path":"/conversations/cnv_e2/inboxes"}`)).toEqual([
      'cnv_e1',
      'cnv_e2',
    ]);
  });

  it('isFrontId accepts exactly one ID', () => {
    expect(isFrontId('cnv_yo1kg5q')).toBe(true);
    expect(isFrontId('cnv_X')).toBe(false);
    expect(isFrontId('cn_123')).toBe(false);
    expect(isFrontId(' cnv_1')).toBe(false);
    expect(isFrontId('tag_ids')).toBe(false);
  });
});
