const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** Told apart without loading a database driver, so a command that may not open the store stays light. */
export function isPostgresUrl(urlOrPath: string): boolean {
  return POSTGRES_URL.test(urlOrPath);
}
