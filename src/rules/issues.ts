import type { z } from 'zod';
import { KNOWN_KEYS } from './schema';
import { didYouMean } from './suggest';

/** One problem in a rule file, before it is given a line and column. */
export interface PathMessage {
  path: (string | number)[];
  message: string;
}

/**
 * zod's own wording ("Invalid input: expected string, received undefined") is written for developers;
 * rule authors get the key's name and what to write instead. Unknown keys are split so that each one
 * points at its own line.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): PathMessage[] {
  return issues.flatMap((issue) => describeIssue(issue));
}

function describeIssue(issue: z.core.$ZodIssue): PathMessage[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], message: unknownKey(key) }));
    case 'invalid_type': {
      const name = describePath(path);
      if (issue.input === undefined)
        return [{ path, message: isDefaultMessage(issue.message) ? `missing required key ${name}` : issue.message }];
      if (!isDefaultMessage(issue.message)) return [{ path, message: issue.message }];
      return [{ path, message: `${name} must be ${article(issue.expected)}, got ${received(issue.input)}` }];
    }
    case 'invalid_value':
      if (issue.input === undefined) return [{ path, message: `missing required key ${describePath(path)}` }];
      if (isDefaultMessage(issue.message)) {
        const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
        return [
          { path, message: `${describePath(path)} is ${JSON.stringify(issue.input)}; expected one of ${options}` },
        ];
      }
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}

function unknownKey(key: string): string {
  if (KNOWN_KEYS.includes(key)) return `"${key}" does not belong here`;
  return `unknown key "${key}"${didYouMean(key, KNOWN_KEYS)}`;
}

function isDefaultMessage(message: string): boolean {
  return message.startsWith('Invalid ');
}

function describePath(path: (string | number)[]): string {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  return last === undefined ? 'the rule' : `"${last}"`;
}

function article(expected: string): string {
  const names: Record<string, string> = {
    object: 'a mapping (key: value lines)',
    array: 'a list',
    string: 'text',
    number: 'a number',
    boolean: 'true or false',
  };
  return names[expected] ?? expected;
}

function received(input: unknown): string {
  if (input === null) return 'nothing (null)';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input} ${JSON.stringify(input)}`;
}
