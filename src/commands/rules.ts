import { loadConfig } from '../config';
import { checkRuleExamples } from '../diagnosis/rule-examples';
import { describeFacts, formatLoadError, formatExampleFailure, loadRules } from '../rules';
import { UsageError, type CliIo } from './io';

export const RULES_USAGE = 'usage: front-why rules lint|test|facts';

/** `front-why rules …`: what support engineers run while writing a rule. */
export async function rulesCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"\n${RULES_USAGE}`);
  if (sub === 'facts') {
    io.stdout.write(`${describeFacts()}\n`);
    return 0;
  }
  if (sub !== 'lint' && sub !== 'test') throw new UsageError(RULES_USAGE);

  const dir = loadConfig(io.env).FRONT_WHY_RULES_DIR;
  const loaded = loadRules(dir);
  if (!loaded.ok) {
    for (const error of loaded.errors) io.stderr.write(`${formatLoadError(error)}\n`);
    io.stderr.write(`${loaded.errors.length} error(s) in ${dir}\n`);
    return 1;
  }
  if (sub === 'lint') {
    io.stdout.write(`${loaded.rules.length} rules OK in ${dir}\n`);
    return 0;
  }
  const failures = await checkRuleExamples(loaded.rules);
  const total = loaded.rules.reduce((sum, rule) => sum + rule.examples.match.length + rule.examples.no_match.length, 0);
  for (const failure of failures) io.stderr.write(`${formatExampleFailure(failure)}\n`);
  io.stdout.write(`${total - failures.length} passed, ${failures.length} failed (${loaded.rules.length} rules)\n`);
  return failures.length === 0 ? 0 : 1;
}
