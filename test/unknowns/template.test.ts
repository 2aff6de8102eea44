import { wordingPattern, wordingSample } from '../../src/unknowns/draft';
import { wordingId, wordingTemplate } from '../../src/unknowns/template';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZW1wbGF0ZS10ZXN0In0.c2lnbmF0dXJlLW9mLXRoZS10ZW1wbGF0ZS10ZXN0';

describe('wordingTemplate', () => {
  test.each([
    ['Conversation cnv_abc123 is locked until 1712345678', 'Conversation <id> is locked until <n>'],
    ['Teammate tea_9x2 (ada@example.com) cannot read inb_7k', 'Teammate <id> (<email>) cannot read <id>'],
    ['Use alt:email:bo%40acme.example instead', 'Use alt:email:<email> instead'],
    ['Request a1b2c3d4-1111-2222-3333-444455556666 failed', 'Request <id> failed'],
    ['Retry in 2.5 seconds', 'Retry in <n> seconds'],
    [
      'See https://acme.api.frontapp.com/conversations/cnv_1/messages?limit=50&page_token=abc',
      'See https://<value>.api.frontapp.com/conversations/<id>/messages?limit=<value>&page_token=<value>',
    ],
    ['  spread\n over\tlines  ', 'spread over lines'],
    ['not_found and _error stay words', 'not_found and _error stay words'],
  ])('%s', (text, template) => {
    expect(wordingTemplate(text)).toBe(template);
  });

  test('a token is redacted wherever it stands, and a known one by value', () => {
    const template = wordingTemplate(`token ${JWT} refused; api_key=sk_live_abcdef123`);
    expect(template).not.toContain(JWT.split('.')[2]);
    expect(template).not.toContain('sk_live_abcdef123');
  });

  test('pastes that differ only in IDs and numbers have one id; another status is another wording', () => {
    const a = wordingTemplate('Conversation cnv_1 is locked until 17');
    const b = wordingTemplate('Conversation cnv_zz9 is locked until 1800000000');
    expect(wordingId(a, 409)).toBe(wordingId(b, 409));
    expect(wordingId(a, 409)).toMatch(/^u[0-9a-f]{12}$/);
    expect(wordingId(a, 423)).not.toBe(wordingId(a, 409));
  });
});

describe('the drafted condition', () => {
  test('matches the wording with other values in its masked parts, and not a neighbouring wording', () => {
    const template = wordingTemplate('Import 77 (cnv_1) is locked by bo@acme.example');
    const pattern = new RegExp(wordingPattern(template).replace('(?i)', ''), 'i');
    expect(pattern.test(wordingSample(template))).toBe(true);
    expect(pattern.test('Import 12 (cnv_q9) is locked by someone@else.example')).toBe(true);
    expect(pattern.test('Import 12 (cnv_q9) is archived')).toBe(false);
  });
});
