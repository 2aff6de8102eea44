import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { formatLoadError, loadRules, loadRulesOrThrow } from '../../src/rules';

const RULES = path.join(__dirname, '../../rules');

// A rule author adds one of Front's wordings to a rule file: the next load reads pastes with it, no build.
describe('wordings in rule files', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'front-why-wordings-')), 'rules');
    cpSync(RULES, dir, { recursive: true });
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  const paste = 'Sync stopped: Front refused our credentials, reconnect the account';

  it('reads a paste by a wording added to a rule, with the status the wording implies', async () => {
    const before = await diagnose(paste, { rules: loadRulesOrThrow(dir) });
    expect(before.ok && before.diagnoses.map((d) => d.rule)).toEqual([]);

    appendFileSync(
      path.join(dir, 'token-invalid.yml'),
      [
        '  - pattern: Front refused our credentials',
        '    status: 401',
        '    front_only: true',
        '    source: https://example.org/integration-docs',
        '',
      ].join('\n'),
    );
    const after = await diagnose(paste, { rules: loadRulesOrThrow(dir) });
    expect(after.ok && after.diagnoses[0]?.rule).toBe('token-invalid');
  });

  it('refuses a wording whose pattern would reach into another wording, and one without a source', () => {
    appendFileSync(
      path.join(dir, 'token-invalid.yml'),
      ['  - pattern: (a)\\1', '    source: x', '  - pattern: Front refused', ''].join('\n'),
    );
    const loaded = loadRules(dir);
    expect(loaded.ok).toBe(false);
    const messages = loaded.ok ? [] : loaded.errors.map(formatLoadError).join('\n');
    expect(messages).toMatch(/no named groups or back-references/);
    expect(messages).toMatch(/source/);
  });
});
