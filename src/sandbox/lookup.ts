import type { SeedCompany, SeedTeammate } from './seed';

/** A teammate by ID or by the alias `alt:email:<address>`, as Front accepts in /teammates/{teammate_id}. */
export function lookupTeammate(company: SeedCompany, idOrAlias: string): SeedTeammate | undefined {
  const alias = /^alt:email:(.+)$/i.exec(idOrAlias);
  if (alias?.[1]) {
    const email = alias[1].toLowerCase();
    return company.teammates.find((t) => t.email.toLowerCase() === email);
  }
  return company.teammates.find((t) => t.id === idOrAlias);
}
