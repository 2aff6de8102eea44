import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileRules, precompile } from './compile';
import { displayPath } from './display-path';
import type { Rule } from './schema';

/**
 * Loading a rule set for a command or the server, and the checked rule sets kept between runs.
 *
 * Checking a rule set (YAML, the rule format, the named conditions) takes longer than the rest of `front-why
 * explain`, and gives the same rules for the same files. So a set that loaded without error is kept in the user's
 * cache folder, under a key made of everything the check reads: each rules folder's listing, the text of every file
 * the loader reads, where messages name them from, and the checking code itself. A file changed, added or removed
 * gives another key, so the loader checks the set again and reports every error as it always does: errors are
 * never kept. This module loads neither the YAML parser nor the schema library; the loader is required on a miss.
 */

export interface RuleLoadError {
  file: string;
  line: number;
  col: number;
  ruleId?: string;
  message: string;
}

/**
 * Failing, `loaded` still holds the rules of the files that did load, and `brokenIds` the ids of those that did
 * not, so that `rules lint` can check the tests of the rest in the same run.
 */
export type LoadResult =
  { ok: true; rules: Rule[] } | { ok: false; errors: RuleLoadError[]; loaded: Rule[]; brokenIds: string[] };

/**
 * The rules folders, in the order they are loaded: a file in a later one replaces the file of the same name in an
 * earlier one (and so does a named condition or a shared fixture of the same name).
 */
export type RulesDirs = string | readonly string[];

export const RULE_EXTENSION = '.yml';
/** Beside each rule `<id>.yml`, its tests (see rule-tests.ts). */
export const TEST_SUFFIX = '.test.yml';
/** The subfolder of the rules folder that holds the named conditions any rule may use. */
export const CONDITIONS_FOLDER = 'conditions';

export function rulesDirList(dirs: RulesDirs): readonly string[] {
  return typeof dirs === 'string' ? [dirs] : dirs;
}

/** The folders as messages name them: "rules + /srv/our-rules". */
export function rulesDirsText(dirs: RulesDirs): string {
  return rulesDirList(dirs).map(displayPath).join(' + ');
}

export function formatLoadError(e: RuleLoadError): string {
  const rule = e.ruleId === undefined ? '' : ` rule=${e.ruleId}`;
  return `${e.file}:${e.line}:${e.col}${rule}: ${e.message}`;
}

/** The bot refuses to start with this: every problem in the rule set, one per line. */
export class RuleSetError extends Error {
  constructor(readonly errors: RuleLoadError[]) {
    super(
      `the rule set does not load (${errors.length} ${errors.length === 1 ? 'error' : 'errors'}):\n${errors.map((e) => `  ${formatLoadError(e)}`).join('\n')}`,
    );
    this.name = 'RuleSetError';
  }
}

export interface RuleSetOptions {
  /**
   * Where checked rule sets are kept between runs (config.ts, `ruleCacheDir`); without it every load checks the
   * files. A folder that cannot be read or written only costs the check.
   */
  cacheDir?: string;
  /**
   * Whether every text line's condition is compiled at load (default), so the first paste of a server does not
   * pay for it; a command that answers one paste compiles only those of the rules it renders, on first use.
   */
  compileText?: boolean;
}

/** The rule set of `dirs`, or a RuleSetError listing every error in it. */
export function loadRulesOrThrow(dirs: RulesDirs, options: RuleSetOptions = {}): Rule[] {
  const key = options.cacheDir === undefined ? undefined : ruleSetKey(dirs);
  const file = key === undefined ? undefined : path.join(options.cacheDir as string, `rules-${key}.json`);
  const kept = file === undefined ? undefined : readKept(file, key as string);
  if (kept) {
    // The engine's form of the rule set, made now rather than on the first paste, as the loader does.
    if (options.compileText === false) compileRules(kept);
    else precompile(kept);
    return kept;
  }
  const result = checkRuleSet(dirs);
  if (!result.ok) throw new RuleSetError(result.errors);
  if (file !== undefined) keep(file, key as string, result.rules);
  return result.rules;
}

/** Every file of `dirs` read and checked again, never from the cache: a reload, whatever the cache holds. */
export function checkRuleSet(dirs: RulesDirs): LoadResult {
  return loader().loadRules(dirs);
}

/**
 * Required on a miss only: the loader brings the YAML parser and the rule format's schemas (zod), most of what
 * a start would otherwise load.
 */
function loader(): typeof import('./loader') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./loader') as typeof import('./loader');
}

/** Bumped when the kept form changes in a way the code fingerprint would not show. */
const FORMAT = 'front-why rule set 1';
/** Rule sets kept at most; the oldest go first (tests and rule authors make many short-lived sets). */
const MAX_KEPT = 16;
const REGEX = '__front_why_regex__';

/**
 * Everything the loader's outcome depends on, hashed; undefined when a folder or file cannot be read (the loader
 * then says why).
 */
function ruleSetKey(dirs: RulesDirs): string | undefined {
  const hash = createHash('sha256').update(FORMAT).update('\0').update(codeFingerprint());
  try {
    for (const dir of rulesDirList(dirs)) {
      hash.update(`\0folder\0${dir}\0${displayPath(dir)}\0`);
      hashFolder(hash, dir, (name) => name.endsWith(RULE_EXTENSION) && !name.endsWith(TEST_SUFFIX));
      const conditions = path.join(dir, CONDITIONS_FOLDER);
      let listed = true;
      try {
        statSync(conditions);
      } catch {
        listed = false;
      }
      hash.update(listed ? '\0conditions\0' : '\0no conditions\0');
      if (listed) hashFolder(hash, conditions, (name) => name.endsWith(RULE_EXTENSION));
    }
  } catch {
    return undefined;
  }
  return hash.digest('hex').slice(0, 40);
}

/** The folder's names (each one can change what loads, or be an error), and the text of the files read. */
function hashFolder(hash: ReturnType<typeof createHash>, dir: string, read: (name: string) => boolean): void {
  const names = readdirSync(dir).sort();
  for (const name of names) {
    hash.update(`\0${name}\0`);
    if (!name.startsWith('.') && read(name)) hash.update(readFileSync(path.join(dir, name)));
  }
}

let fingerprint: string | undefined;

/**
 * The code that checks a rule set: this folder's modules, the facts they check paths against, and the versions of
 * the YAML parser and the schema library. A change to any of them checks every rule set again.
 */
function codeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256');
  const ext = path.extname(__filename);
  const files = [
    ...readdirSync(__dirname)
      .filter((name) => name.endsWith(ext))
      .sort()
      .map((name) => path.join(__dirname, name)),
    path.join(__dirname, '..', `facts${ext}`),
    path.join(__dirname, '..', `is-record${ext}`),
    packageFile('js-yaml'),
    packageFile('zod'),
  ];
  for (const file of files) hash.update(`\0${path.basename(file)}\0`).update(readFileSync(file));
  fingerprint = hash.digest('hex');
  return fingerprint;
}

/**
 * A dependency's package.json, where an install puts it beside front-why's own (resolving it the way `require`
 * does reads and parses several package files, which would cost this module more than all its work), else as
 * `require` finds it.
 */
function packageFile(name: string): string {
  const beside = path.join(__dirname, '..', '..', 'node_modules', name, 'package.json');
  try {
    statSync(beside);
    return beside;
  } catch {
    return require.resolve(`${name}/package.json`);
  }
}

/** The kept rule set, or undefined when there is none, it is not this key's, or someone else could have written it. */
function readKept(file: string, key: string): Rule[] | undefined {
  try {
    const stat = statSync(file);
    // Only a file of this user's that no one else may write: what it holds is answered to agents as is.
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return undefined;
    if ((stat.mode & 0o022) !== 0) return undefined;
    const kept = revive(JSON.parse(readFileSync(file, 'utf8'))) as { key?: unknown; rules?: unknown };
    if (kept.key !== key || !Array.isArray(kept.rules) || kept.rules.length === 0) return undefined;
    return kept.rules as Rule[];
  } catch {
    return undefined;
  }
}

/** Best effort: a cache folder that cannot be written only means the next start checks the files again. */
function keep(file: string, key: string, rules: Rule[]): void {
  const dir = path.dirname(file);
  const partial = `${file}.${process.pid}.partial`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(partial, JSON.stringify({ key, rules }, keepRegex), { mode: 0o600 });
    renameSync(partial, file);
    prune(dir);
  } catch {
    try {
      unlinkSync(partial);
    } catch {
      // never written
    }
  }
}

function prune(dir: string): void {
  const kept = readdirSync(dir)
    .filter((name) => name.startsWith('rules-') && name.endsWith('.json'))
    .map((name) => ({ name, at: statSync(path.join(dir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { name } of kept.slice(MAX_KEPT)) unlinkSync(path.join(dir, name));
}

/** JSON has no regular expressions: a rule's patterns are kept as their source and flags. */
function keepRegex(this: unknown, _key: string, value: unknown): unknown {
  return value instanceof RegExp ? { [REGEX]: [value.source, value.flags] } : value;
}

/** The kept patterns made regular expressions again, in place (a reviver would be called for every value). */
function revive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) value[i] = revive(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  const pattern = record[REGEX];
  if (Array.isArray(pattern)) return new RegExp(pattern[0] as string, pattern[1] as string);
  for (const key in record) record[key] = revive(record[key]);
  return record;
}
