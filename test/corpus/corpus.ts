import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';
import type { DiagnoseOutcome } from '../../src/diagnosis';

/** `expect: none`: a text that must get no diagnosis (another API's error, a Front answer that is not an error). */
export const NONE = 'none';

const nonEmpty = z.string().trim().min(1);

const entrySchema = z.strictObject({
  text: nonEmpty,
  source: nonEmpty,
  shape: nonEmpty,
  expect: z.union([z.literal(NONE), z.array(nonEmpty).min(1)]),
  note: nonEmpty.optional(),
  known_miss: nonEmpty.optional(),
});

const fileSchema = z.strictObject({ entries: z.array(entrySchema).min(1) });

export type CorpusEntry = z.infer<typeof entrySchema> & {
  /** "integrations.yml#3": where a reader finds the entry. */
  where: string;
};

export interface CorpusFile {
  file: string;
  entries: CorpusEntry[];
  /** Why the file is not a valid corpus file; empty when it is. */
  problems: string[];
}

/** Every `*.yml` in `dir`, each entry checked against the corpus format. */
export function readCorpus(dir: string): CorpusFile[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((file) => readCorpusFile(path.join(dir, file), file));
}

function readCorpusFile(fullPath: string, file: string): CorpusFile {
  const parsed = fileSchema.safeParse(yaml.load(fs.readFileSync(fullPath, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    return { file, entries: [], problems };
  }
  const entries = parsed.data.entries.map((entry, i) => ({ ...entry, where: `${file}#${i + 1}` }));
  return { file, entries, problems: [] };
}

export function isNegative(entry: CorpusEntry): boolean {
  return entry.expect === NONE;
}

export interface Verdict {
  right: boolean;
  /** What front-why answered, in rule ids, most likely first ("nothing" when silent). */
  answered: string;
}

/**
 * A real Front text is answered right when the likeliest cause is one the entry expects and every expected cause
 * is named; a negative when nothing is diagnosed (a refused paste diagnoses nothing either).
 */
export function judge(entry: CorpusEntry, outcome: DiagnoseOutcome): Verdict {
  const rules = outcome.ok ? outcome.diagnoses.map((d) => d.rule) : [];
  const answered = outcome.ok ? (rules.length > 0 ? rules.join(', ') : 'nothing') : `refused: ${outcome.message}`;
  if (entry.expect === NONE) return { right: rules.length === 0, answered };
  const expected = entry.expect;
  const right = rules.length > 0 && expected.includes(rules[0] ?? '') && expected.every((id) => rules.includes(id));
  return { right, answered };
}
