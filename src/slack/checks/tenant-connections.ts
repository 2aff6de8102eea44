import { createHash } from 'node:crypto';
import type { Config } from '../../config';
import { DEFAULT_BUDGET_KEY } from '../../front';
import type { TenantConnection } from '../../diagnosis/live';
import type { Store } from '../../store';

/**
 * Builds a tenant's Front connection from its token; `budgetKey` (the tenant's name, or "(default)") picks the rate
 * budget it draws from. Injectable so tests can count or fake connections.
 */
export type ConnectFn = (token: string, budgetKey: string) => TenantConnection;

/**
 * What a channel's diagnoses run against. Never another channel's tenant: resolved from the channel each time.
 * `id`, when given, is the one tenant meant (a watch's): a name since removed and added back is not it.
 */
export type ChannelTenant = { kind: 'bound'; name: string; id?: string } | { kind: 'default' } | { kind: 'none' };

/** Tenant names are lowercase letters, digits and dashes, so this key can never collide with one. */
export const DEFAULT_TENANT_LABEL = 'default';

export async function channelTenant(
  store: Store,
  config: Config,
  teamId: string,
  channelId: string,
): Promise<ChannelTenant> {
  const binding = await store.getChannelBinding(teamId, channelId);
  if (binding) return { kind: 'bound', name: binding.tenant };
  return config.FRONT_API_TOKEN ? { kind: 'default' } : { kind: 'none' };
}

export function tenantLabel(tenant: ChannelTenant): string | undefined {
  if (tenant.kind === 'bound') return tenant.name;
  return tenant.kind === 'default' ? DEFAULT_TENANT_LABEL : undefined;
}

/** Which rate budget (and share of it) a tenant's checks draw from. */
export function budgetKeyOf(tenant: Exclude<ChannelTenant, { kind: 'none' }>): string {
  return tenant.kind === 'default' ? DEFAULT_BUDGET_KEY : tenant.name;
}

export interface Lease {
  connection: TenantConnection;
  release(): void;
}

interface Entry {
  fingerprint: string;
  connection: TenantConnection;
  users: number;
  retired: boolean;
  /** When it was last leased or released. */
  usedAt: number;
}

/**
 * How long a tenant's connection is kept with nobody using it. Its answers from Front are past their time (a
 * minute) long before; the rate budget and the teammate map live elsewhere, so closing it loses nothing.
 */
export const IDLE_CONNECTION_MS = 10 * 60_000;

/**
 * One Front connection (client and short cache, drawing on the tenant's shared rate budget) per tenant while it is
 * used. The token is read from the store on every lease, so a token replaced by another replica is picked up at
 * once; the old connection closes when its last in-flight diagnosis releases it. A connection unused for
 * IDLE_CONNECTION_MS is closed, so a server that answers for many customers holds connections for the ones asked
 * about lately, not for every one ever asked about.
 */
export class TenantConnections {
  private readonly entries = new Map<string, Entry>();
  private readonly closing = new Set<Promise<void>>();
  private sweptAt = 0;

  constructor(
    private readonly connect: ConnectFn,
    private readonly store: Store,
    private readonly defaultToken: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** undefined when the tenant no longer exists (removed since the channel was bound, or since the watch began). */
  async lease(tenant: Exclude<ChannelTenant, { kind: 'none' }>): Promise<Lease | undefined> {
    const key = budgetKeyOf(tenant);
    const token =
      tenant.kind === 'default' ? this.defaultToken : await this.store.getTenantToken(tenant.name, tenant.id);
    if (!token) return undefined;
    this.closeIdle();
    const entry = this.entryFor(key, token);
    entry.users += 1;
    entry.usedAt = this.now();
    let released = false;
    return {
      connection: entry.connection,
      release: () => {
        if (released) return;
        released = true;
        entry.users -= 1;
        entry.usedAt = this.now();
        if (entry.retired && entry.users === 0) this.closeLater(entry.connection);
      },
    };
  }

  /** After the connect modal checked a token with this connection: keep it as the tenant's connection. */
  adopt(name: string, token: string, connection: TenantConnection): void {
    this.install(name, { fingerprint: fingerprint(token), connection, users: 0, retired: false, usedAt: this.now() });
  }

  async closeAll(): Promise<void> {
    for (const entry of this.entries.values()) this.closeLater(entry.connection);
    this.entries.clear();
    await Promise.allSettled([...this.closing]);
  }

  private entryFor(key: string, token: string): Entry {
    const fp = fingerprint(token);
    const current = this.entries.get(key);
    if (current && current.fingerprint === fp) return current;
    const entry: Entry = {
      fingerprint: fp,
      connection: this.connect(token, key),
      users: 0,
      retired: false,
      usedAt: this.now(),
    };
    this.install(key, entry);
    return entry;
  }

  /** At most once a tenth of IDLE_CONNECTION_MS, so a lease costs a pass over the tenants only now and then. */
  private closeIdle(): void {
    const now = this.now();
    if (now - this.sweptAt < IDLE_CONNECTION_MS / 10) return;
    this.sweptAt = now;
    for (const [key, entry] of this.entries) {
      if (entry.users > 0 || now - entry.usedAt < IDLE_CONNECTION_MS) continue;
      this.entries.delete(key);
      this.closeLater(entry.connection);
    }
  }

  private install(key: string, entry: Entry): void {
    const old = this.entries.get(key);
    this.entries.set(key, entry);
    if (old && old.connection !== entry.connection) {
      old.retired = true;
      if (old.users === 0) this.closeLater(old.connection);
    }
  }

  private closeLater(connection: TenantConnection): void {
    const closing = connection.close().catch(() => undefined);
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }
}

/** Compared in memory only, to notice a replaced token; never stored or logged. */
function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
