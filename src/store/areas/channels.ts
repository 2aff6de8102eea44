import type { Input } from '../shapes';
import { check } from '../inputs';
import * as input from '../inputs';
import { BINDING, SETTINGS, type RowOf } from '../rows';
import { sql } from '../sql';
import { forTenant, type Context } from './context';

function channel(teamId: string, channelId: string) {
  return { teamId: check(input.slackId('teamId'), teamId), channelId: check(input.slackId('channelId'), channelId) };
}

export function channels({ db, clock }: Context) {
  return {
    /** Replaces any earlier binding of the channel. Throws `tenant_not_found`. */
    async bindChannel(binding: Input<typeof input.newBinding>) {
      const b = check(input.newBinding, binding);
      const row = await forTenant(
        db,
        b.tenant,
        sql`INSERT INTO channel_bindings (team_id, channel_id, tenant, bound_by, bound_at)
            SELECT ${b.teamId}, ${b.channelId}, name, ${b.boundBy}, ${clock()} FROM tenants WHERE name = ${b.tenant}
            ON CONFLICT (team_id, channel_id) DO UPDATE SET
              tenant = excluded.tenant, bound_by = excluded.bound_by, bound_at = excluded.bound_at
            RETURNING ${BINDING.list}`,
      );
      return BINDING.read(row);
    },

    /** false when the channel was not bound. */
    async unbindChannel(teamId: string, channelId: string) {
      const c = channel(teamId, channelId);
      return (
        (await db.run(sql`DELETE FROM channel_bindings WHERE team_id = ${c.teamId} AND channel_id = ${c.channelId}`)) >
        0
      );
    },

    async getChannelBinding(teamId: string, channelId: string) {
      const c = channel(teamId, channelId);
      const [row] = await db.all(
        sql`SELECT ${BINDING.list} FROM channel_bindings WHERE team_id = ${c.teamId} AND channel_id = ${c.channelId}`,
      );
      return row ? BINDING.read(row) : null;
    },

    /** Every bound channel, or those of one tenant; ordered by tenant, team, channel. */
    async listChannelBindings(query: { tenant?: string } = {}) {
      const tenant = query.tenant === undefined ? undefined : check(input.tenantName, query.tenant);
      const rows = await db.all(
        sql`SELECT ${BINDING.list} FROM channel_bindings ${tenant === undefined ? sql`` : sql`WHERE tenant = ${tenant}`}
            ORDER BY tenant, team_id, channel_id`,
      );
      return rows.map(BINDING.read);
    },

    /** Fields left out keep their value. Returns the settings now in force. */
    async setChannelSettings(teamId: string, channelId: string, settings: Partial<ChannelSettings>) {
      const c = channel(teamId, channelId);
      const s = check(input.channelSettings, settings);
      const listen = s.listen ?? null;
      const allowExternal = s.allowExternal ?? null;
      // NULL means "leave as it is": the upsert merges in one statement, so two partial updates never undo each other.
      const [row] = await db.all(
        sql`INSERT INTO channel_settings (team_id, channel_id, listen, allow_external, updated_at)
            VALUES (${c.teamId}, ${c.channelId}, coalesce(${listen}, FALSE), coalesce(${allowExternal}, FALSE),
              ${clock()})
            ON CONFLICT (team_id, channel_id) DO UPDATE SET
              listen = coalesce(${listen}, channel_settings.listen),
              allow_external = coalesce(${allowExternal}, channel_settings.allow_external),
              updated_at = excluded.updated_at
            RETURNING ${SETTINGS.list}`,
      );
      return SETTINGS.read(row ?? {});
    },

    /** Defaults: listen false, allowExternal false. */
    async getChannelSettings(teamId: string, channelId: string) {
      const c = channel(teamId, channelId);
      const [row] = await db.all(
        sql`SELECT ${SETTINGS.list} FROM channel_settings WHERE team_id = ${c.teamId} AND channel_id = ${c.channelId}`,
      );
      return SETTINGS.read(row ?? {});
    },
  };
}

export type ChannelStore = ReturnType<typeof channels>;
export type ChannelBinding = RowOf<typeof BINDING>;
type ChannelSettings = RowOf<typeof SETTINGS>;
