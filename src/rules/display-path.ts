import path from 'node:path';

/** Messages name files relative to the working directory when they are under it (shorter, clickable), else as given. */
export function displayPath(target: string): string {
  if (!path.isAbsolute(target)) return target;
  const relative = path.relative(process.cwd(), target);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? target : relative;
}
