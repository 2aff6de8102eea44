import type { FactPath } from '../../src/facts';
import {
  MAX_VALUE_LENGTH,
  PLACEHOLDER,
  renderTemplate,
  templateFields,
  UNKNOWN,
  type FactValue,
} from '../../src/rules';

function render(template: string, facts: Record<string, FactValue | typeof UNKNOWN>): string {
  return renderTemplate(template, (path: FactPath) =>
    Object.prototype.hasOwnProperty.call(facts, path) ? facts[path]! : UNKNOWN,
  );
}

describe('renderTemplate', () => {
  it('replaces fields with values, joining lists', () => {
    expect(
      render('{{owner.name}} ({{error.status}}, private: {{inboxes.private}}) ids {{input.ids}}', {
        'owner.name': 'Ada <ada@example.com>',
        'error.status': 403,
        'inboxes.private': false,
        'input.ids': ['cnv_1', 'msg_2'],
      }),
    ).toBe('Ada <ada@example.com> (403, private: false) ids cnv_1, msg_2');
  });

  it('uses the default for absent, unknown and empty values, else a neutral placeholder', () => {
    const t =
      '{{owner.name|the owner}} / {{error.message|no message}} / {{input.ids|none}} / {{token.kind}} / {{error.title|}}';
    expect(render(t, { 'error.message': undefined, 'input.ids': [], 'token.kind': UNKNOWN })).toBe(
      `the owner / no message / none / ${PLACEHOLDER} / `,
    );
  });

  it('allows spaces inside the braces', () => {
    expect(render('{{ owner.name | someone }} and {{ error.status }}', { 'error.status': 404 })).toBe(
      'someone and 404',
    );
  });

  it('never expands a template found inside a value', () => {
    expect(
      render('{{error.message}}', { 'error.message': '{{owner.name}} and {{error.status|x}}', 'owner.name': 'Ada' }),
    ).toBe('{{owner.name}} and {{error.status|x}}');
  });

  it('leaves the default text literal', () => {
    expect(render('{{owner.name|see {{error.status}}}}', { 'error.status': 1 })).toBe('{{owner.name|see 1}}');
  });

  it('renders a path outside the catalogue as the placeholder, not as template syntax', () => {
    expect(render('{{not.a.fact|x}} {{nope}}', {})).toBe(`x ${PLACEHOLDER}`);
  });

  it('strips control and invisible characters and folds line breaks into one space', () => {
    const value = 'line one\r\n\tline two\u0007\u001b[31m red\u202e evil\u200b\u0000 end\u2028x';
    expect(render('[{{error.message}}]', { 'error.message': value })).toBe('[line one line two[31m red evil end x]');
  });

  it('falls back to the default when a value is nothing but control characters', () => {
    expect(render('{{error.message|empty}}', { 'error.message': '\u0000\n\u0007' })).toBe('empty');
  });

  it(`caps each value at ${MAX_VALUE_LENGTH} characters`, () => {
    const out = render('<{{error.message}}> <{{owner.name}}>', {
      'error.message': 'a'.repeat(500),
      'owner.name': '😀'.repeat(300),
    });
    const [, first, second] = /^<(.*)> <(.*)>$/u.exec(out)!;
    expect(first).toBe(`${'a'.repeat(MAX_VALUE_LENGTH - 1)}…`);
    expect(Array.from(second!)).toHaveLength(MAX_VALUE_LENGTH);
    expect(second!.endsWith('😀…')).toBe(true);
  });

  it('leaves text without fields alone, including stray braces', () => {
    expect(render('a { b } {{ c', {})).toBe('a { b } {{ c');
  });
});

describe('templateFields', () => {
  it('lists the paths a template refers to, as written', () => {
    expect(templateFields('{{owner.name|x}} {{ error.status }} {{bogus}} {{}}')).toEqual([
      'owner.name',
      'error.status',
      'bogus',
      '',
    ]);
  });
});
