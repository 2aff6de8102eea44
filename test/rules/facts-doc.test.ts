import { FACTS, PROBE_DESCRIPTIONS } from '../../src/facts';
import { describeFacts } from '../../src/rules';

describe('describeFacts', () => {
  const text = describeFacts();

  it('lists every fact path with its type and description', () => {
    for (const [path, spec] of Object.entries(FACTS)) {
      expect(text).toMatch(
        new RegExp(
          `^  ${path.replace(/\./g, '\\.')} +${spec.type.replace(/[[\]]/g, '\\$&')} +${escape(spec.description)}$`,
          'm',
        ),
      );
    }
  });

  it('groups them by source, paste first, each probe with what it checks', () => {
    const headings = text.split('\n').filter((line) => !line.startsWith(' ') && line !== '');
    expect(headings[0]).toBe('From the paste (always known; a field the paste lacks is absent)');
    expect(headings[1]).toBe(`From the "token" probe (unknown until it runs): ${PROBE_DESCRIPTIONS.token}`);
    expect(text.indexOf('  error.status')).toBeLessThan(text.indexOf('From the "token"'));
    expect(text.indexOf('  owner.private_access')).toBeGreaterThan(text.indexOf('From the "owner_access"'));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
