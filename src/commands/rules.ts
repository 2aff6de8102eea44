import path from 'node:path';
import { loadConfig, type Config, ruleCacheDir } from '../config';
import { checkRuleExamples } from '../diagnosis/rule-examples';
import {
  causesOf,
  declarationOf,
  describeFacts,
  formatLoadError,
  formatExampleFailure,
  loadRules,
  loadRulesOrThrow,
  loadRuleTests,
  RULE_ID,
  ruleFilesText,
  rulesDirsText,
} from '../rules';
import { parseCommandArgs, UsageError, type CliIo } from './io';
import { isFrontWhy, processState, readPidFile, readReloadStatus, type ReloadStatus } from './pid-file';
import { usageOf } from './help';
import { ALIVE_FOR_MS, awaitReloadOutcomes } from '../slack/app/rule-sync';
import { reloadSummary } from '../slack/render/reload-report';
import { isPostgresUrl } from '../store';
import { withKeylessStore, withStore } from './store';
import { draftRule, suggestedCause } from '../unknowns/draft';
import { storeConfigured } from './unknown-wordings';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { TEST_SUFFIX } from '../rules';

export const RULES_USAGE = usageOf('rules');

/** How long `rules reload` waits for the server to say how its reload went. */
const CONFIRM_MS = 5_000;

/** `front-why rules …`: what support engineers run while writing a rule, and how a running server picks it up. */
export async function rulesCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'draft') return draftCommand(rest, io);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"\n${RULES_USAGE}`);
  if (sub === 'facts') {
    io.stdout.write(`${describeFacts()}\n`);
    return 0;
  }
  if (sub !== 'lint' && sub !== 'test' && sub !== 'reload')
    throw new UsageError(sub ? `unknown subcommand "${sub}"\n${RULES_USAGE}` : RULES_USAGE);

  const config = loadConfig(io.env);
  const dirs = config.FRONT_WHY_RULES_DIR;
  const where = rulesDirsText(dirs);
  const loaded = loadRules(dirs);
  if (!loaded.ok || sub !== 'reload') {
    // Every error at once: the rule files', then the tests' of the rules that loaded.
    const tests = loadRuleTests(dirs, loaded.ok ? loaded.rules : loaded.loaded, loaded.ok ? [] : loaded.brokenIds);
    const errors = [...(loaded.ok ? [] : loaded.errors), ...(tests.ok ? [] : tests.errors)];
    if (errors.length > 0) {
      for (const error of errors) io.stderr.write(`${formatLoadError(error)}\n`);
      io.stderr.write(`${errors.length} error(s) in ${where}\n`);
      if (sub === 'reload') io.stderr.write('Nothing was sent to the server: it keeps serving the rules it has.\n');
      return 1;
    }
  }
  if (!loaded.ok) return 1;
  const size = ruleFilesText(loaded.rules);
  if (sub === 'reload')
    return isPostgresUrl(config.FRONT_WHY_DB) ? reloadReplicas(io, config) : reloadServer(io, config, size);
  const tests = loadRuleTests(dirs, loaded.rules);
  if (!tests.ok) return 1;
  if (sub === 'lint') {
    io.stdout.write(`${size} (one cause each) and their ${tests.tests.length} tests OK in ${where}\n`);
    return 0;
  }
  const failures = await checkRuleExamples(loaded.rules, tests.tests);
  for (const failure of failures) io.stderr.write(`${formatExampleFailure(failure)}\n`);
  io.stdout.write(`${tests.tests.length - failures.length} passed, ${failures.length} failed (${size})\n`);
  return failures.length === 0 ? 0 : 1;
}

/**
 * The rules checked out here, so the running `front-why serve` (found through FRONT_WHY_PID_FILE) is asked to
 * reload them with SIGHUP; then the outcome it records next to its pid file is reported (see pid-file.ts).
 */
async function reloadServer(io: CliIo, config: Config, checked: string): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`front-why rules reload: ${message}\n`);
    return 1;
  };
  const pidFile = path.resolve(config.FRONT_WHY_PID_FILE);
  const state = readPidFile(pidFile);
  if (state.kind === 'missing') {
    return fail(
      `no front-why server is running here: ${pidFile} does not exist. Start one with \`front-why serve\`, or set FRONT_WHY_PID_FILE to the pid file of the one that runs.`,
    );
  }
  if (state.kind === 'unreadable')
    return fail(`cannot read ${pidFile} (${state.reason}); run this as the user that runs \`front-why serve\`.`);
  if (state.kind === 'invalid')
    return fail(
      `${pidFile} does not hold a process id (it reads "${state.content}"); remove it and restart \`front-why serve\`.`,
    );

  const { pid } = state;
  const alive = processState(pid);
  if (alive === 'gone') {
    return fail(
      `no front-why server is running: ${pidFile} names pid ${pid}, which has exited without removing it (a stale pid file). Start the server again with \`front-why serve\`.`,
    );
  }
  if (alive === 'not-permitted')
    return fail(
      `pid ${pid} (from ${pidFile}) belongs to another user; run this as the user that runs \`front-why serve\`.`,
    );
  if (isFrontWhy(pid) === false) {
    return fail(
      `pid ${pid} (from ${pidFile}) is not a front-why process, so the pid file is stale; nothing was signalled. Start the server again with \`front-why serve\`.`,
    );
  }

  const before = readReloadStatus(pidFile);
  try {
    process.kill(pid, 'SIGHUP');
  } catch (err) {
    return fail(`could not signal pid ${pid}: ${(err as { code?: string }).code ?? String(err)}`);
  }
  const after = await confirmation(pidFile, pid, before);
  if (!after) {
    return fail(
      `sent SIGHUP to the server (pid ${pid}), but it did not confirm within ${CONFIRM_MS / 1000} s; its log says "rules reloaded" or "rules reload failed".`,
    );
  }
  if (!after.ok) {
    for (const line of after.errors ?? []) io.stderr.write(`${line}\n`);
    return fail(
      `the server (pid ${pid}) could not load the rules in ${after.dir}, so it keeps serving its ${ruleFilesText(after.serving ?? 0)}.`,
    );
  }
  const here = rulesDirsText(config.FRONT_WHY_RULES_DIR);
  const where = after.dir === here ? '' : ` from ${after.dir} (here the rules are ${here}, ${checked})`;
  io.stdout.write(
    `reloaded: the server (pid ${pid}) now serves ${after.rules === undefined ? '? rule files' : ruleFilesText(after.rules)}${where}\n`,
  );
  return 0;
}

async function confirmation(
  pidFile: string,
  pid: number,
  before: ReloadStatus | undefined,
): Promise<ReloadStatus | undefined> {
  const deadline = Date.now() + CONFIRM_MS;
  for (;;) {
    const status = readReloadStatus(pidFile);
    if (status && status.pid === pid && (!before || before.pid !== pid || status.seq > before.seq)) return status;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * With PostgreSQL the servers are replicas that may run on other hosts: the request goes through the store (a new
 * reload generation, which every replica hears), and the outcome each replica records there is reported.
 */
async function reloadReplicas(io: CliIo, config: Config): Promise<number> {
  return withStore(config, io.env, async (store) => {
    const aliveSince = new Date(Date.now() - ALIVE_FOR_MS);
    if ((await store.liveReplicas(aliveSince)).length === 0) {
      io.stderr.write(
        `front-why rules reload: no front-why server is running on this database (none said it was alive in the last ${ALIVE_FOR_MS / 1000} s). Start one with \`front-why serve\`.\n`,
      );
      return 1;
    }
    const generation = await store.requestRulesReload({
      trigger: 'cli',
      requestedBy: `cli:${io.env.USER ?? 'unknown'}`,
    });
    const report = await awaitReloadOutcomes(store, generation, { aliveSince });
    const failed = report.outcomes.filter((o) => !o.ok);
    for (const outcome of failed) {
      for (const line of (outcome.error ?? '').split('\n').filter(Boolean))
        io.stderr.write(`${outcome.replica}: ${line}\n`);
    }
    const summary = reloadSummary(report);
    if (failed.length > 0 || report.silent.length > 0) {
      io.stderr.write(`front-why rules reload: ${summary}\n`);
      return 1;
    }
    io.stdout.write(`reloaded: ${summary}\n`);
    return 0;
  });
}

const DRAFT_USAGE = usageOf('rules draft');

/** `front-why rules draft ID`: a rule and its test from a wording `front-why unknowns` lists. */
async function draftCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, DRAFT_USAGE, {
    cause: { type: 'string' },
    out: { type: 'string' },
  });
  const [id, extra] = positionals;
  if (!id) throw new UsageError(`which wording? give its id from \`front-why unknowns\`\n${DRAFT_USAGE}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"\n${DRAFT_USAGE}`);
  if (!/^u[0-9a-f]{12}$/.test(id))
    throw new UsageError(
      `"${id.slice(0, 40)}" is not a wording id ("u" and 12 hex digits, as \`front-why unknowns\` lists them)`,
    );
  const given = values.cause?.trim().replaceAll('_', '-');
  if (given !== undefined && !RULE_ID.test(given))
    throw new UsageError(
      `--cause is a cause's name in lowercase words joined by dashes (or underscores); not "${values.cause}"`,
    );

  const config = loadConfig(io.env);
  const rules = loadRulesOrThrow(config.FRONT_WHY_RULES_DIR, { cacheDir: ruleCacheDir(io.env) });
  // Any cause the rules declare, or a new one: its id is the name of the rule file the draft writes.
  const known = causesOf(rules)
    .filter((c) => c !== 'unknown')
    .map((c) => c.replaceAll('_', '-'));
  const wording = storeConfigured(config, io.env)
    ? await withKeylessStore(config, (store) => store.getUnknownWording(id))
    : null;
  if (!wording) {
    io.stderr.write(
      `front-why rules draft: no unknown wording ${id} in the store; \`front-why unknowns\` lists them\n`,
    );
    return 1;
  }
  const cause = given?.replaceAll('-', '_') ?? suggestedCause(wording.status);
  if (!cause) {
    throw new UsageError(
      `the wording has ${wording.status === null ? 'no status' : `status ${wording.status}`}, which names no usual cause: choose one with --cause (${known.join(', ')}, or a new one)`,
    );
  }
  const draft = draftRule(wording, cause, declarationOf(rules, cause));
  const dir = path.resolve(values.out ?? path.join(config.FRONT_WHY_RULES_DIR.at(-1) ?? '.', 'drafts', id));
  const ruleFile = path.join(dir, `${draft.ruleId}.yml`);
  const testFile = path.join(dir, `${draft.ruleId}${TEST_SUFFIX}`);
  const taken = [ruleFile, testFile].filter((f) => existsSync(f));
  if (taken.length > 0) {
    io.stderr.write(
      `front-why rules draft: ${taken.join(' and ')} already exist${taken.length === 1 ? 's' : ''}; nothing was written. Draft into another folder with --out DIR.\n`,
    );
    return 1;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(ruleFile, draft.ruleText, { flag: 'wx' });
  writeFileSync(testFile, draft.testText, { flag: 'wx' });
  io.stdout.write(
    `wrote ${ruleFile}\nwrote ${testFile}\n` +
      `Fill in the TODOs, then: FRONT_WHY_RULES_DIR=${dir} front-why rules lint && FRONT_WHY_RULES_DIR=${dir} front-why rules test\n`,
  );
  return 0;
}
