/**
 * Rule authors write the `(?i)` flag they know from other tools; JavaScript has no inline flags, so it is
 * turned into the `i` flag here. No `u` flag: it would reject harmless escapes such as `\"` that authors
 * copy from error messages.
 */
const CASE_INSENSITIVE = '(?i)';

export function compileRegex(pattern: string): RegExp {
  if (pattern.startsWith(CASE_INSENSITIVE)) return new RegExp(pattern.slice(CASE_INSENSITIVE.length), 'i');
  return new RegExp(pattern);
}

/** The reason a pattern does not compile, or undefined when it does. */
export function regexError(pattern: string): string | undefined {
  try {
    compileRegex(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
