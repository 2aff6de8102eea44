import type { CustomerQuestion } from './store';

/** Customer questions of one tenant: how many front-why answered, and how many it closed without an agent. */
export interface Deflection {
  tenant: string;
  /** Customer threads answered (one however many checks it held). */
  answered: number;
  /** Of those, the ones a watch ended as fixed before anyone of the vendor posted in the thread (or with nobody). */
  fixedWithoutAgent: number;
  /** From the thread's first check to fixed, over those; null when there are none. */
  medianMsToFixed: number | null;
}

/** The median of sorted values (the mean of the middle two for an even count). */
export function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Per tenant, by name; `questions` as `listCustomerQuestions` gives them. */
export function deflectionByTenant(questions: CustomerQuestion[]): Deflection[] {
  const byTenant = new Map<string, { answered: number; durations: number[] }>();
  for (const q of questions) {
    const t = byTenant.get(q.tenant) ?? { answered: 0, durations: [] };
    t.answered += 1;
    const alone = q.fixedAt !== null && (q.agentPostedAt === null || q.agentPostedAt > q.fixedAt);
    if (alone && q.fixedAt) t.durations.push(q.fixedAt.getTime() - q.askedAt.getTime());
    byTenant.set(q.tenant, t);
  }
  return [...byTenant]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tenant, t]) => {
      const sorted = [...t.durations].sort((a, b) => a - b);
      return { tenant, answered: t.answered, fixedWithoutAgent: sorted.length, medianMsToFixed: median(sorted) };
    });
}
