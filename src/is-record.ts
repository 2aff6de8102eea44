/** A parsed JSON object: what Front's answers, a paste's envelope and a rule file are read as before their fields. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
