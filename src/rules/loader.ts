import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { ProbeId } from '../facts';
import { precompile } from './compile';
import {
  ConditionLibrary,
  positionProblem,
  STATE_NAMES,
  type ConditionProblem,
  type DiagnosisState,
  type NamedCondition,
  type Origin,
} from './conditions';
import { displayPath } from './display-path';
import { compileRegex } from './regex';
import { CONDITION_NAME } from './expression';
import { isRecord } from '../is-record';
import { describeIssues, type PathMessage } from './issues';
import {
  causeOfId,
  conditionSchema,
  RULE_ID,
  ruleSchema,
  type CauseDeclaration,
  type ConditionDraft,
  type Rule,
  type RuleDraft,
  type TextLine,
  type TextLineDraft,
} from './schema';
import { locate } from './yaml-position';
import {
  CONDITIONS_FOLDER,
  RULE_EXTENSION,
  rulesDirList,
  rulesDirsText,
  TEST_SUFFIX,
  type LoadResult,
  type RuleLoadError,
  type RulesDirs,
} from './rule-set';
import { applyTerms } from './terms';

export {
  CONDITIONS_FOLDER,
  formatLoadError,
  RULE_EXTENSION,
  RuleSetError,
  rulesDirList,
  rulesDirsText,
  TEST_SUFFIX,
  type LoadResult,
  type RuleLoadError,
  type RulesDirs,
} from './rule-set';

/** `declaredId`: the `id` the file states, when it is a string, for the duplicate check across files. */
/** A file with variants gives one rule per variant. */
export type ParseResult = { ok: true; rules: Rule[] } | { ok: false; errors: RuleLoadError[]; declaredId?: string };

/** One file of a layered listing: where it is read from, and how messages name it. */
export interface LayeredFile {
  full: string;
  shown: string;
}

/**
 * The files of every folder under one name each, a later folder's file replacing an earlier one's. A folder that
 * cannot be read is an error (the rules it holds would silently be missing).
 */
export function layeredFiles(
  dirs: RulesDirs,
  errors: RuleLoadError[],
  keep: (name: string) => boolean,
): Map<string, LayeredFile> {
  const files = new Map<string, LayeredFile>();
  for (const dir of rulesDirList(dirs)) {
    const shownDir = displayPath(dir);
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => !name.startsWith('.') && keep(name));
    } catch (error) {
      const reason = errorText(error);
      const message =
        reason === 'ENOENT' ? 'the rules folder does not exist' : `cannot read the rules folder: ${reason}`;
      errors.push({ file: shownDir, line: 1, col: 1, message });
      continue;
    }
    for (const name of names) files.set(name, { full: path.join(dir, name), shown: path.join(shownDir, name) });
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Loads every `*.yml` in each of `dirs` (not subfolders), later folders over earlier ones. All files are checked
 * and every error is returned, so an author fixes them in one go; any error means no rule is loaded.
 */
export function loadRules(dirs: RulesDirs): LoadResult {
  const errors: RuleLoadError[] = [];
  const files = layeredFiles(dirs, errors, () => true);
  if (errors.length > 0) return { ok: false, errors, loaded: [], brokenIds: [] };

  const conditions = loadConditionFiles(
    rulesDirList(dirs).map((dir) => ({
      full: path.join(dir, CONDITIONS_FOLDER),
      shown: path.join(displayPath(dir), CONDITIONS_FOLDER),
    })),
  );
  const library = new ConditionLibrary(conditions.definitions);
  errors.push(...conditions.errors);
  const rules: Rule[] = [];
  const declared: Declared[] = [];
  for (const [name, { full, shown: file }] of files) {
    if (name.endsWith('.yaml')) {
      errors.push({
        file,
        line: 1,
        col: 1,
        message: `rule files end in ${RULE_EXTENSION}: rename it to ${name.slice(0, -'.yaml'.length)}${RULE_EXTENSION}`,
      });
      continue;
    }
    if (!name.endsWith(RULE_EXTENSION) || name.endsWith(TEST_SUFFIX)) continue;
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (error) {
      errors.push({ file, line: 1, col: 1, message: `cannot read the file: ${errorText(error)}` });
      continue;
    }
    const result = parseRuleText(text, file, name.slice(0, -RULE_EXTENSION.length), library);
    const id = result.ok ? result.rules[0]?.id : result.declaredId;
    if (id !== undefined) declared.push({ id, file, text: stripBom(text) });
    if (result.ok) rules.push(...result.rules);
    else errors.push(...result.errors);
  }

  errors.push(...duplicateIds(declared));
  errors.push(...unknownSuperseded(declared, rules));
  library.checkAll();
  errors.push(...library.problems.map(positionProblem));
  if (errors.length > 0) {
    const loadedIds = new Set(rules.map((rule) => rule.id));
    const brokenIds = [...files.keys()]
      .filter((name) => name.endsWith(RULE_EXTENSION) && !name.endsWith(TEST_SUFFIX))
      .map((name) => name.slice(0, -RULE_EXTENSION.length))
      .filter((id) => !loadedIds.has(id));
    return { ok: false, errors: errors.sort(byFileAndPosition), loaded: rules, brokenIds };
  }
  if (rules.length === 0) {
    return {
      ok: false,
      loaded: [],
      brokenIds: [],
      errors: [
        {
          file: rulesDirsText(dirs),
          line: 1,
          col: 1,
          message: `no rule files (*${RULE_EXTENSION}) in ${typeof dirs === 'string' || dirs.length === 1 ? 'this folder' : 'these folders'}`,
        },
      ],
    };
  }
  // The engine's form of every condition, made now rather than on the first paste.
  precompile(rules);
  return { ok: true, rules };
}

/**
 * Validates one rule file's text; `file` is only used in the errors, `fileId` is what `id` must equal. Names in
 * its conditions are resolved against `library` (the rule set's named conditions).
 */
export function parseRuleText(
  rawText: string,
  file: string,
  fileId: string,
  library = new ConditionLibrary([]),
): ParseResult {
  const text = stripBom(rawText);
  let data: unknown;
  try {
    // CORE_SCHEMA: no timestamps or other implicit types an author would not expect from plain YAML.
    data = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      const line = error.mark ? error.mark.line + 1 : 1;
      const col = error.mark ? error.mark.column + 1 : 1;
      return { ok: false, errors: [{ file, line, col, ruleId: fileId, message: `YAML: ${error.reason}` }] };
    }
    throw error;
  }

  const declaredId =
    typeof data === 'object' && data !== null && 'id' in data && typeof data.id === 'string' ? data.id : undefined;
  const ruleId = declaredId !== undefined && RULE_ID.test(declaredId) ? declaredId : fileId;
  if (data === undefined || data === null) {
    return {
      ok: false,
      errors: [{ file, line: 1, col: 1, ruleId, message: 'the file is empty; a rule starts with "id:"' }],
    };
  }
  const termed = applyTerms(data);
  const termErrors = termed.problems.map((p) => positioned(p, text, file, ruleId));
  const parsed = ruleSchema.safeParse(termed.data, { reportInput: true });
  const mismatch = idMismatch(termed.data, fileId);
  if (!parsed.success || termErrors.length > 0 || mismatch.length > 0) {
    // An unknown term is said once, as a term, not again as an unknown fact path.
    const schemaErrors = [
      ...(parsed.success
        ? []
        : describeIssues(parsed.error.issues).filter((m) => termErrors.length === 0 || !m.message.includes('{{term.'))),
      ...mismatch,
    ];
    const errors = [...termErrors, ...schemaErrors.map((m) => positioned(m, text, file, ruleId))].sort(byPosition);
    return { ok: false, errors, declaredId };
  }
  const resolved = resolveRule(parsed.data, library, { file, text, path: [], ruleId });
  if (!resolved.ok) return { ok: false, errors: resolved.problems.map(positionProblem).sort(byPosition), declaredId };
  return { ok: true, rules: resolved.rules };
}

/** A rule's `id` (when it is a string) must be its file's name, so that a rule is found by its id. */
function idMismatch(data: unknown, fileId: string): PathMessage[] {
  if (!isRecord(data) || typeof data.id !== 'string' || data.id === fileId) return [];
  return [{ path: ['id'], message: `id must equal the file name without .yml ("${fileId}")` }];
}

/**
 * Inlines every name a rule uses: in `when` (or each variant's), in its own `conditions`, and in the `if` of each
 * text line, which is resolved for each state and variant so that the names `confirmed`, `possible` and the
 * variant names are fixed truths by the time the text is rendered.
 */
export function resolveRule(
  draft: RuleDraft,
  shared: ConditionLibrary,
  origin: Origin,
): { ok: true; rules: Rule[] } | { ok: false; problems: ConditionProblem[] } {
  const own = Object.entries(draft.conditions).map(([name, condition]) => ({
    name,
    draft: condition,
    origin: { ...origin, path: ['conditions', name] },
  }));
  const library = new ConditionLibrary(own, shared);
  library.checkAll();
  const problems = [...library.problems];

  const variants = draft.variants
    ? Object.entries(draft.variants).map(([name, v]) => ({ name, ...v, path: ['variants', name, 'when'] }))
    : [
        {
          name: undefined,
          when: draft.when as ConditionDraft,
          priority: undefined,
          confidence: undefined,
          overruled_by: undefined,
          path: ['when'],
        },
      ];
  const variantNames = variants.flatMap((v) => (v.name === undefined ? [] : [v.name]));
  for (const name of variantNames) {
    if (library.has(name))
      problems.push({
        origin,
        path: ['variants', name],
        offset: 0,
        atKey: true,
        message: `variant "${name}" has the name of a condition; rename one of them`,
      });
  }

  const declared: CauseDeclaration = {
    customerCanFix: draft.customer_can_fix,
    watch: {
      ...(draft.watch?.fixed === undefined ? {} : { fixed: draft.watch.fixed }),
      ...(draft.watch?.fixed_for_owner === undefined ? {} : { fixedForOwner: draft.watch.fixed_for_owner }),
      transient: draft.watch?.transient ?? false,
    },
    traits: draft.traits,
  };
  const rules = variants.map((variant): Rule | undefined => {
    const when = library.resolve(variant.when, { ...origin, path: variant.path });
    problems.push(...when.problems);
    const reported = problems.length;
    const lines = (items: TextLineDraft[], path: (string | number)[]): TextLine[] =>
      items.map((line, i) => {
        if (line.if === undefined) return { text: line.text };
        const at = { ...origin, path: [...path, i, 'if'] };
        const resolveFor = (state: DiagnosisState) => {
          const constants = new Map<string, boolean>(STATE_NAMES.map((s) => [s, s === state]));
          for (const name of variantNames) constants.set(name, name === variant.name);
          return library.resolve(line.if as ConditionDraft, at, constants);
        };
        const confirmed = resolveFor('confirmed');
        const possible = resolveFor('possible');
        // Every variant resolves the same names: report a text line's problems once, from the first variant.
        if (variant === variants[0]) problems.push(...confirmed.problems);
        return {
          text: line.text,
          if: confirmed.condition &&
            possible.condition && { confirmed: confirmed.condition, possible: possible.condition },
        };
      });
    const rule = {
      id: draft.id,
      file: origin.file,
      cause: causeOfId(draft.id),
      declared,
      ...(variant.name === undefined ? {} : { variant: variant.name }),
      priority: variant.priority ?? draft.priority ?? 0,
      confidence: variant.confidence ?? draft.confidence ?? 'low',
      ...overruling(variant.overruled_by ?? draft.overruled_by),
      ...(draft.supersedes && draft.supersedes.length > 0 ? { supersedes: draft.supersedes } : {}),
      fallback: draft.fallback,
      headline: lines(draft.headline, ['headline']),
      ...(draft.what_happened ? { whatHappened: lines(draft.what_happened, ['what_happened']) } : {}),
      why: lines(draft.why, ['why']),
      steps: {
        agent: lines(draft.steps.agent, ['steps', 'agent']),
        teammate: lines(draft.steps.teammate, ['steps', 'teammate']),
        admin: lines(draft.steps.admin, ['steps', 'admin']),
      },
      links: draft.links,
      wordings: draft.wordings.map((w) => ({
        pattern: compileRegex(w.pattern),
        ...(w.status === undefined ? {} : { status: w.status }),
        frontOnly: w.front_only,
        source: w.source,
      })),
    };
    return when.condition === undefined || problems.length > reported ? undefined : { ...rule, when: when.condition };
  });
  if (problems.length > 0 || rules.some((rule) => rule === undefined)) return { ok: false, problems };
  return { ok: true, rules: rules as Rule[] };
}

/**
 * Reads every `*.yml` in each rules folder's conditions folder: each file maps condition names to conditions; a
 * name defined again in a later folder replaces the earlier definition. A missing folder is fine (a rule set need
 * not share conditions).
 */
function loadConditionFiles(folders: LayeredFile[]): { definitions: NamedCondition[]; errors: RuleLoadError[] } {
  let definitions: NamedCondition[] = [];
  const errors: RuleLoadError[] = [];
  for (const folder of folders) {
    const own = loadConditionFolder(folder.full, folder.shown, errors);
    // Within one folder a name defined twice stays an error (the library reports it); across folders, later wins.
    const redefined = new Set(own.map((d) => d.name));
    definitions = [...definitions.filter((d) => !redefined.has(d.name)), ...own];
  }
  return { definitions, errors };
}

function loadConditionFolder(dir: string, shownDir: string, errors: RuleLoadError[]): NamedCondition[] {
  const definitions: NamedCondition[] = [];
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith(RULE_EXTENSION) && !name.startsWith('.'))
      .sort();
  } catch (error) {
    if (errorText(error) !== 'ENOENT')
      errors.push({
        file: shownDir,
        line: 1,
        col: 1,
        message: `cannot read the conditions folder: ${errorText(error)}`,
      });
    return definitions;
  }
  for (const name of names) {
    const file = path.join(shownDir, name);
    let text: string;
    let data: unknown;
    try {
      text = stripBom(readFileSync(path.join(dir, name), 'utf8'));
      data = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
    } catch (error) {
      errors.push(yamlOrReadError(error, file));
      continue;
    }
    if (data === undefined || data === null) continue;
    if (typeof data !== 'object' || Array.isArray(data)) {
      errors.push({
        file,
        line: 1,
        col: 1,
        message: 'a conditions file maps names to conditions (`name: <condition>`)',
      });
      continue;
    }
    for (const [conditionName, value] of Object.entries(data)) {
      const at = (segments: (string | number)[], message: string): RuleLoadError => {
        const { line, col } = locate(text, [conditionName, ...segments]);
        return { file, line, col, message };
      };
      if (!CONDITION_NAME.test(conditionName)) {
        errors.push(at([], `"${conditionName}" is not a condition name: use lowercase words joined by dashes`));
        continue;
      }
      const parsed = conditionSchema.safeParse(value, { reportInput: true });
      if (!parsed.success) {
        errors.push(...describeIssues(parsed.error.issues).map((m) => at(m.path, m.message)));
        continue;
      }
      definitions.push({ name: conditionName, draft: parsed.data, origin: { file, text, path: [conditionName] } });
    }
  }
  return definitions;
}

function yamlOrReadError(error: unknown, file: string): RuleLoadError {
  if (error instanceof yaml.YAMLException) {
    return {
      file,
      line: error.mark ? error.mark.line + 1 : 1,
      col: error.mark ? error.mark.column + 1 : 1,
      message: `YAML: ${error.reason}`,
    };
  }
  return { file, line: 1, col: 1, message: `cannot read the file: ${errorText(error)}` };
}

function positioned(issue: PathMessage, text: string, file: string, ruleId: string): RuleLoadError {
  const { line, col } = locate(text, issue.path);
  return { file, line, col, ruleId, message: issue.message };
}

function byPosition(a: RuleLoadError, b: RuleLoadError): number {
  return a.line - b.line || a.col - b.col;
}

function byFileAndPosition(a: RuleLoadError, b: RuleLoadError): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : byPosition(a, b);
}

interface Declared {
  id: string;
  file: string;
  text: string;
}

// Reachable only alongside an "id must equal the file name" error (file names are unique), but a copied
// file is the usual way to get there, and naming the original tells the author what happened.
function duplicateIds(declared: Declared[]): RuleLoadError[] {
  const firstFile = new Map<string, string>();
  const errors: RuleLoadError[] = [];
  // The file named after the id owns it, so the error lands on the copy.
  const owners = [...declared].sort((a, b) => Number(isNamedAfter(b)) - Number(isNamedAfter(a)));
  for (const { id, file, text } of owners) {
    const first = firstFile.get(id);
    if (first === undefined) {
      firstFile.set(id, file);
      continue;
    }
    const { line, col } = locate(text, ['id']);
    errors.push({ file, line, col, ruleId: id, message: `duplicate id "${id}", also in ${first}` });
  }
  return errors;
}

/** A `supersedes` entry that names no rule would silently do nothing. */
function unknownSuperseded(declared: Declared[], rules: Rule[]): RuleLoadError[] {
  const ids = new Set(declared.map((d) => d.id));
  const errors: RuleLoadError[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.id)) continue;
    seen.add(rule.id);
    const file = declared.find((d) => d.id === rule.id);
    (rule.supersedes ?? []).forEach((id, i) => {
      if (ids.has(id) && id !== rule.id) return;
      const { line, col } = file ? locate(file.text, ['supersedes', i]) : { line: 1, col: 1 };
      const message = id === rule.id ? 'a rule cannot supersede itself' : `supersedes "${id}", which is no rule here`;
      errors.push({ file: file?.file ?? '', line, col, ruleId: rule.id, message });
    });
  }
  return errors;
}

function isNamedAfter(d: Declared): boolean {
  return path.basename(d.file) === `${d.id}${RULE_EXTENSION}`;
}

function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

// Not `instanceof Error`: fs errors may come from another realm (a test runner's sandbox).
function errorText(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  if ('code' in error && typeof error.code === 'string') return error.code;
  return 'message' in error && typeof error.message === 'string' ? error.message : String(error);
}

function overruling(probe: ProbeId | undefined): { overruledBy?: ProbeId } {
  return probe === undefined ? {} : { overruledBy: probe };
}
