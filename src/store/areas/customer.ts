import type { Input } from '../shapes';
import { check } from '../inputs';
import * as input from '../inputs';
import { CUSTOMER_CHANNEL, CUSTOMER_QUESTION, type RowOf } from '../rows';
import { sql } from '../sql';
import type { Context } from './context';

export type CustomerChannel = RowOf<typeof CUSTOMER_CHANNEL>;
export type CustomerQuestion = RowOf<typeof CUSTOMER_QUESTION>;
type CustomerThread = Input<typeof input.customerThread>;

/** Customer mode: which channels are in it, and the checks customers asked for there (limits and deflection). */
export function customer({ db, clock }: Pick<Context, 'db' | 'clock'>) {
  const thread = (t: unknown) => check(input.customerThread, t);
  const channel = (teamId: string, channelId: string) => ({
    teamId: check(input.slackId('teamId'), teamId),
    channelId: check(input.slackId('channelId'), channelId),
  });
  return {
    /** Turns customer mode on for the channel, or changes its mirror channel. */
    async setCustomerChannel(channel: Input<typeof input.customerChannel>): Promise<CustomerChannel> {
      const c = check(input.customerChannel, channel);
      const [row] = await db.all(
        sql`INSERT INTO customer_channels (team_id, channel_id, mirror_channel_id, set_by, set_at)
            VALUES (${c.teamId}, ${c.channelId}, ${c.mirrorChannelId}, ${c.setBy}, ${clock()})
            ON CONFLICT (team_id, channel_id) DO UPDATE SET
              mirror_channel_id = excluded.mirror_channel_id, set_by = excluded.set_by, set_at = excluded.set_at
            RETURNING ${CUSTOMER_CHANNEL.list}`,
      );
      return CUSTOMER_CHANNEL.read(row ?? {});
    },

    /** false when customer mode was not on. */
    async clearCustomerChannel(teamId: string, channelId: string): Promise<boolean> {
      const c = channel(teamId, channelId);
      return (
        (await db.run(sql`DELETE FROM customer_channels WHERE team_id = ${c.teamId} AND channel_id = ${c.channelId}`)) >
        0
      );
    },

    async getCustomerChannel(teamId: string, channelId: string): Promise<CustomerChannel | null> {
      const c = channel(teamId, channelId);
      const [row] = await db.all(
        sql`SELECT ${CUSTOMER_CHANNEL.list} FROM customer_channels
            WHERE team_id = ${c.teamId} AND channel_id = ${c.channelId}`,
      );
      return row ? CUSTOMER_CHANNEL.read(row) : null;
    },

    /** The workspace's customer channels, by channel id. */
    async listCustomerChannels(teamId: string): Promise<CustomerChannel[]> {
      const team = check(input.slackId('teamId'), teamId);
      const rows = await db.all(
        sql`SELECT ${CUSTOMER_CHANNEL.list} FROM customer_channels WHERE team_id = ${team} ORDER BY channel_id`,
      );
      return rows.map(CUSTOMER_CHANNEL.read);
    },

    /**
     * Counts a check a customer asked for, unless the asker or the channel already reached its limit within the
     * window; then nothing is written and `over` says which (the person's limit first). One statement: two checks of
     * one process never both pass the last free place (concurrent replicas on PostgreSQL may pass it by one each).
     */
    async recordCustomerCheck(
      checkAsked: Input<typeof input.customerCheck>,
    ): Promise<{ recorded: true } | { recorded: false; over: 'person' | 'channel' }> {
      const c = check(input.customerCheck, checkAsked);
      const since = new Date(c.at.getTime() - c.windowMs);
      const byPerson = sql`(SELECT COUNT(*) FROM customer_checks WHERE asked_by = ${c.askedBy} AND asked_at > ${since})`;
      const byChannel = sql`(SELECT COUNT(*) FROM customer_checks
        WHERE team_id = ${c.teamId} AND channel_id = ${c.channelId} AND asked_at > ${since})`;
      const written = await db.all(
        sql`INSERT INTO customer_checks (team_id, channel_id, thread_ts, tenant, asked_by, asked_at)
            SELECT ${c.teamId}, ${c.channelId}, ${c.threadTs}, ${c.tenant}, ${c.askedBy}, ${c.at}
            WHERE ${byPerson} < ${c.perPerson} AND ${byChannel} < ${c.perChannel}
            RETURNING asked_by`,
      );
      if (written.length > 0) return { recorded: true };
      const [counts] = await db.all<{ person: unknown }>(sql`SELECT ${byPerson} AS person`);
      return { recorded: false, over: Number(counts?.person) >= c.perPerson ? 'person' : 'channel' };
    },

    /** Whether a customer asked in this thread. */
    async isCustomerThread(t: CustomerThread): Promise<boolean> {
      const c = thread(t);
      const rows = await db.all(
        sql`SELECT 1 FROM customer_checks
            WHERE team_id = ${c.teamId} AND channel_id = ${c.channelId} AND thread_ts = ${c.threadTs} LIMIT 1`,
      );
      return rows.length > 0;
    },

    /** Someone of the vendor posted in a customer's thread; the first time is kept. */
    async markAgentPosted(t: CustomerThread, at: Date): Promise<void> {
      const c = thread(t);
      const when = check(input.date('at'), at);
      await db.run(
        sql`UPDATE customer_checks SET agent_posted_at = ${when}
            WHERE team_id = ${c.teamId} AND channel_id = ${c.channelId} AND thread_ts = ${c.threadTs}
              AND agent_posted_at IS NULL`,
      );
    },

    /** Each customer thread asked in at or after `since`, oldest first, with its tenant, first check and outcome. */
    async listCustomerQuestions(since: Date): Promise<CustomerQuestion[]> {
      const from = check(input.date('since'), since);
      const rows = await db.all(
        sql`SELECT MIN(q.tenant) AS tenant, MIN(q.asked_at) AS asked_at, MIN(q.agent_posted_at) AS agent_posted_at,
              (SELECT MIN(w.ended_at) FROM watches w
                WHERE w.team_id = q.team_id AND w.channel_id = q.channel_id AND w.thread_ts = q.thread_ts
                  AND w.state = 'fixed') AS fixed_at
            FROM customer_checks q
            GROUP BY q.team_id, q.channel_id, q.thread_ts
            HAVING MIN(q.asked_at) >= ${from}
            ORDER BY MIN(q.asked_at)`,
      );
      return rows.map(CUSTOMER_QUESTION.read);
    },
  };
}

export type CustomerStore = ReturnType<typeof customer>;
