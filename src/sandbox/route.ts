import type { Reply } from './errors';
import type { SeedCompany } from './seed';
import type { Grants, ReadPermission } from './tokens';

/** One endpoint of the sandbox: the public routes (handlers.ts) and the private-resource ones (routes-private.ts). */
export interface RequestContext {
  base: string;
  company: SeedCompany;
  grants: Grants;
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Route {
  method: 'GET';
  template: string;
  /** The granular permission Front requires, or null (GET /me needs none). */
  requiredPermission: ReadPermission | null;
  handle(ctx: RequestContext): Reply;
}
