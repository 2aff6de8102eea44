import { isRecord } from '../is-record';

/** `{{term.NAME}}`: a name the rule file's `terms` defines, written into its text when the file is read. */
const TERM_FIELD = /\{\{\s*term\.([a-z][a-z0-9_-]*)\s*\}\}/g;
const TERM_NAME = /^[a-z][a-z0-9_-]*$/;

export interface TermProblem {
  /** Where in the rule file, as a path of keys, for the error's line and column. */
  path: (string | number)[];
  message: string;
}

/**
 * A rule file's `terms` (a wording its text repeats, such as a setting's exact name, written once) put in place of
 * each `{{term.NAME}}` anywhere in the file, and the `terms` key removed: the rule that is validated and loaded is
 * the one with the wording written out. Problems are an unknown term, a term that is not text, or `terms` that is
 * not a mapping.
 */
export function applyTerms(data: unknown): { data: unknown; problems: TermProblem[] } {
  if (!isRecord(data) || !('terms' in data)) return { data, problems: checkNoTerms(data) };
  const { terms, ...rest } = data;
  const problems: TermProblem[] = [];
  const values = new Map<string, string>();
  if (!isRecord(terms)) {
    problems.push({ path: ['terms'], message: 'terms is a mapping of names to text, e.g. "preference: Allow …"' });
  } else {
    for (const [name, value] of Object.entries(terms)) {
      if (!TERM_NAME.test(name))
        problems.push({ path: ['terms', name], message: `term names are lowercase words: "${name}" is not one` });
      else if (typeof value !== 'string' || value.trim() === '')
        problems.push({ path: ['terms', name], message: `term "${name}" must be non-empty text` });
      else values.set(name, value);
    }
  }
  const replaced = walk(rest, [], (text, path) =>
    text.replace(TERM_FIELD, (field, name: string) => {
      const value = values.get(name);
      if (value !== undefined) return value;
      const known = [...values.keys()].join(', ') || 'none';
      problems.push({ path, message: `unknown term "${name}" (terms defined in this file: ${known})` });
      return field;
    }),
  );
  return { data: replaced, problems };
}

function checkNoTerms(data: unknown): TermProblem[] {
  const problems: TermProblem[] = [];
  walk(data, [], (text, path) => {
    for (const match of text.matchAll(TERM_FIELD))
      problems.push({ path, message: `unknown term "${match[1]}" (this file defines no terms)` });
    return text;
  });
  return problems;
}

function walk(
  value: unknown,
  path: (string | number)[],
  onText: (text: string, path: (string | number)[]) => string,
): unknown {
  if (typeof value === 'string') return onText(value, path);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], onText));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key], onText);
    return out;
  }
  return value;
}
