import { BUILT_IN_RULES } from '../../src/config';
import type { Diagnosis } from '../../src/diagnosis';
import { ownerFinding } from '../../src/diagnosis/owner';
import { rankByEvidence } from '../../src/diagnosis/ranking';
import { exampleFactSource } from '../../src/diagnosis/rule-examples';
import { declarationOf, loadRulesOrThrow, type FactValue } from '../../src/rules';

// What each cause's rule file declares (its traits), as the engine reads them.
const RULES = loadRulesOrThrow(BUILT_IN_RULES);
const traitsOf = (cause: string) => declarationOf(RULES, cause)?.traits ?? [];
const rank = (diagnoses: Diagnosis[], facts: Parameters<typeof rankByEvidence>[1]) =>
  rankByEvidence(diagnoses, facts, traitsOf);
const owner = (cause: string, ...rest: Parameters<typeof ownerFinding> extends [unknown, ...infer R] ? R : never) =>
  ownerFinding(traitsOf(cause), ...rest);

// The facts of one diagnosis, exactly as rule tests state them: the paste parsed for real, probe facts given.
const PASTE =
  'GET /conversations/cnv_yo1kg5q 403 {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_yo1kg5q\\""}}';
const facts = (stated: Record<string, FactValue | null>, paste = PASTE): ReturnType<typeof exampleFactSource> =>
  exampleFactSource(paste, stated);

/** Possible diagnoses in the engine's static order (teammate 80, OAuth 75, scope 70). */
function possible(...causes: string[]): Diagnosis[] {
  return causes.map((cause) => ({
    cause,
    rule: cause.replace(/_/g, '-'),
    status: 'possible',
    confidence: 'medium',
    headline: cause,
    why: '',
    steps: { agent: [], teammate: [], admin: [] },
    links: [],
    evidence: [],
    decidedBy: [],
    target: 'cnv_yo1kg5q',
  }));
}

const causesOf = (diagnoses: Diagnosis[]): string[] => diagnoses.map((d) => d.cause);
const BOTH = ['teammate_api_access_disabled', 'token_missing_private_scope'] as const;

describe("the token's claims", () => {
  test('present and granting private resources: the preference first, the missing scope less sure', () => {
    const ranked = rank(
      possible('token_missing_private_scope', 'teammate_api_access_disabled'),
      facts({ 'token.kind': 'api', 'token.private_scope': true }),
    );
    expect(causesOf(ranked)).toEqual([...BOTH]);
    expect(ranked[0]?.rankedBy).toMatch(/claims grant private resources/);
    expect(ranked[1]?.confidence).toBe('low');
  });

  test('present without private resources: the missing scope first, even over the higher static priority', () => {
    const ranked = rank(
      possible(...BOTH),
      facts({ 'token.kind': 'api', 'token.private_scope': false, 'conversation.reachable': false }),
    );
    expect(causesOf(ranked)).toEqual(['token_missing_private_scope', 'teammate_api_access_disabled']);
    expect(ranked[0]?.rankedBy).toMatch(/claims do not grant private resources/);
    expect(ranked[1]?.confidence).toBe('low');
  });

  test('absent (a token without a scopes claim) and nothing else checked: static priority, no ranking line', () => {
    const ranked = rank(possible(...BOTH), facts({ 'token.kind': 'api' }));
    expect(causesOf(ranked)).toEqual([...BOTH]);
    expect(ranked.map((d) => d.confidence)).toEqual(['medium', 'medium']);
    expect(ranked.some((d) => d.rankedBy !== undefined)).toBe(false);
  });

  test('an OAuth token: the OAuth causes first', () => {
    const ranked = rank(
      possible('teammate_api_access_disabled', 'oauth_token_private_resources', 'token_missing_private_scope'),
      facts({ 'token.kind': 'oauth' }),
    );
    expect(ranked[0]?.cause).toBe('oauth_token_private_resources');
    expect(ranked[0]?.rankedBy).toMatch(/OAuth access token/);
  });

  test('the claims outweigh what the sweep suggests', () => {
    const sweep = {
      'teammates.checked_count': 5,
      'teammates.access_allowed_count': 0,
      'teammates.access_denied_count': 0,
      'teammates.access_forbidden_count': 5,
      'teammates.complete': true,
    };
    const ranked = rank(possible(...BOTH), facts({ ...sweep, 'token.private_scope': true }));
    expect(ranked[0]?.cause).toBe('teammate_api_access_disabled');
  });
});

describe('the sweep', () => {
  const sweep = (allowed: number, denied: number, forbidden: number, complete: boolean): Record<string, FactValue> => ({
    'token.kind': 'api',
    'teammates.checked_count': allowed + denied + forbidden,
    'teammates.access_allowed_count': allowed,
    'teammates.access_denied_count': denied,
    'teammates.access_forbidden_count': forbidden,
    'teammates.complete': complete,
  });

  test('complete, reading no one, with mixed wordings: the missing scope first', () => {
    const ranked = rank(possible(...BOTH), facts(sweep(0, 2, 3, true)));
    expect(ranked[0]?.cause).toBe('token_missing_private_scope');
    expect(ranked[0]?.rankedBy).toMatch(/Not one of the 5 teammates' private resources could be read/);
  });

  test("every refusal in Front's preference-off wording: the preference first", () => {
    const ranked = rank(possible(...BOTH), facts(sweep(0, 4, 0, true)));
    expect(ranked[0]?.cause).toBe('teammate_api_access_disabled');
    expect(ranked[0]?.rankedBy).toMatch(/its wording for a preference that is off/);
    expect(ranked[1]?.confidence).toBe('low');
  });

  test('every refusal "not allowed to read the teammate", sweep cut short: the missing scope first', () => {
    const ranked = rank(possible(...BOTH), facts(sweep(0, 0, 3, false)));
    expect(ranked[0]?.cause).toBe('token_missing_private_scope');
    expect(ranked[0]?.rankedBy).toMatch(/not allowed to read the teammate/);
  });

  test('a sweep cut short with mixed wordings tips nothing', () => {
    const ranked = rank(possible(...BOTH), facts(sweep(0, 1, 2, false)));
    expect(causesOf(ranked)).toEqual([...BOTH]);
    expect(ranked[0]?.rankedBy).toBeUndefined();
  });
});

describe('the owner', () => {
  const sweep = {
    'teammates.checked_count': 5,
    'teammates.total_count': 5,
    'teammates.complete': true,
    'teammates.access_denied': ['Bruno Keller <bruno@acme.example>'],
    'teammates.sole_denied': 'Bruno Keller <bruno@acme.example>',
  };

  test("the private inbox's owner link wins over the sweep", () => {
    const finding = owner(
      'teammate_api_access_disabled',
      'confirmed',
      'cnv_yo1kg5q',
      facts({ ...sweep, 'owner.name': 'Ada Moreno <ada@acme.example>' }),
    );
    expect(finding).toEqual({ how: 'inbox-owner', name: 'Ada Moreno <ada@acme.example>' });
  });

  test("a teammate's own listing names that teammate: the one whose resources were requested", () => {
    const finding = owner(
      'teammate_api_access_disabled',
      'confirmed',
      'tea_6r55b',
      facts({
        ...sweep,
        'owner.name': 'Bruno Keller <bruno@acme.example>',
        'input.resource_kind': 'teammate_resources',
      }),
    );
    expect(finding).toEqual({ how: 'requested', name: 'Bruno Keller <bruno@acme.example>' });
  });

  test('by elimination only for a confirmed cause; a possible one lists candidates', () => {
    const source = facts({ ...sweep, 'owner.name': null });
    expect(owner('teammate_api_access_disabled', 'confirmed', 'cnv_yo1kg5q', source)?.how).toBe('elimination');
    expect(owner('teammate_api_access_disabled', 'possible', 'cnv_yo1kg5q', source)).toEqual({
      how: 'candidates',
      candidates: ['Bruno Keller <bruno@acme.example>'],
      checked: 5,
      total: 5,
    });
  });

  test('no owner for other causes, nor without a conversation', () => {
    const source = facts({ ...sweep, 'owner.name': null });
    expect(owner('token_missing_private_scope', 'confirmed', 'cnv_yo1kg5q', source)).toBeUndefined();
    expect(owner('teammate_api_access_disabled', 'confirmed', undefined, source)).toBeUndefined();
  });
});

describe('a live check that overrules the paste', () => {
  const confirmed = (d: Diagnosis, overruledBy?: Diagnosis['overruledBy']): Diagnosis => ({
    ...d,
    status: 'confirmed',
    ...(overruledBy ? { overruledBy } : {}),
  });

  test('puts the contradiction first, whatever the static order, and names the check', () => {
    const [teammate, token] = possible('teammate_api_access_disabled', 'token_invalid');
    const ranked = rank(
      [confirmed(teammate!), confirmed(token!, 'me')],
      facts({ 'token.kind': 'api', 'token.private_scope': true }),
    );
    expect(causesOf(ranked)).toEqual(['token_invalid', 'teammate_api_access_disabled']);
    expect(ranked[0]?.rankedBy).toMatch(/^The live check \(GET \/me: .*\) answered otherwise than the paste claims/);
  });

  test('a contradiction that is merely possible (the check did not answer) tips nothing', () => {
    const [teammate, scope] = possible(...BOTH);
    const ranked = rank([teammate!, { ...scope!, overruledBy: 'me' }], facts({}));
    expect(causesOf(ranked)).toEqual([...BOTH]);
    expect(ranked.every((d) => d.rankedBy === undefined)).toBe(true);
  });
});
