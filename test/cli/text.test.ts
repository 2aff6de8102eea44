import type { Diagnosis } from '../../src/diagnosis';
import { diagnosesToText, ownerLine } from '../../src/diagnosis/text';

function diagnosis(overrides: Partial<Diagnosis> = {}): Diagnosis {
  return {
    cause: 'teammate_api_access_disabled',
    rule: 'teammate-api-access-disabled',
    status: 'confirmed',
    confidence: 'high',
    headline: 'Bruno Keller has the preference off: they, or an admin for them, must turn it on',
    why: 'Because the teammate turned it off.',
    steps: { agent: ['Tell the customer.'], teammate: ['Turn it on.'], admin: ['Do it for Bruno Keller.'] },
    links: [],
    evidence: [],
    decidedBy: [],
    ...overrides,
  };
}

describe('the text an agent reads in a terminal', () => {
  test('names the owner and how the checks found them, and what tipped the ranking', () => {
    const text = diagnosesToText([
      diagnosis({
        headline: 'The teammate who owns cnv_yo1kg5q has the preference off',
        owner: { how: 'elimination', name: 'Bruno Keller', checked: 5, total: 5 },
        rankedBy: 'the live 403 on cnv_yo1kg5q',
      }),
    ]);
    expect(text).toContain('\n   Owner: Bruno Keller (the only teammate with the preference off; 5 of 5 checked)\n');
    expect(text).toContain('\n   Ranked first: the live 403 on cnv_yo1kg5q\n');
  });

  test('a headline that already names the owners is not followed by the same names again; --verbose says how', () => {
    const candidates = diagnosis({
      headline: 'The teammate who owns cnv_yo1kg5q has it off: one of Bruno Keller, Dmitri Ivanov (all 5 checked)',
      owner: { how: 'candidates', candidates: ['Bruno Keller', 'Dmitri Ivanov'], checked: 5, total: 5 },
    });
    expect(diagnosesToText([candidates])).not.toContain('Owner:');
    expect(diagnosesToText([candidates], { verbose: true })).toContain(
      'Owner: one of Bruno Keller, Dmitri Ivanov (the teammates with the preference off; 5 of 5 checked)',
    );
    const one = diagnosis({ owner: { how: 'inbox-owner', name: 'Bruno Keller' } });
    expect(diagnosesToText([one])).not.toContain('Owner:');
    const other = diagnosis({ owner: { how: 'candidates', candidates: ['Bruno Keller', 'Dmitri Ivanov'] } });
    expect(diagnosesToText([other])).toContain('Owner: one of Bruno Keller, Dmitri Ivanov');
  });

  test('each way of finding the owner reads as what it is; a finding that names nobody says nothing', () => {
    expect(ownerLine({ how: 'inbox-owner', name: 'Ada Moreno <ada@acme.example>' })).toBe(
      'Owner: Ada Moreno <ada@acme.example> (the owner of the private inbox)',
    );
    expect(ownerLine({ how: 'candidates', candidates: ['Bruno Keller', 'Dmitri Ivanov'], checked: 5, total: 6 })).toBe(
      'Owner: one of Bruno Keller, Dmitri Ivanov (the teammates with the preference off; 5 of 6 checked)',
    );
    expect(ownerLine({ how: 'elimination' })).toBeUndefined();
    expect(ownerLine({ how: 'candidates', candidates: [] })).toBeUndefined();
    expect(ownerLine(undefined)).toBeUndefined();
  });
});
