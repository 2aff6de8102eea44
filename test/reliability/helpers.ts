import type { ActivityEntry } from '../../src/store';
import { CHANNEL, waitFor, type Harness } from '../slack/helpers/harness';
import { TEAM_ID, type RecordedCall } from '../slack/helpers/slack-standin';

/** Shared checks of the reliability suites: the app still serves, the store lost nothing, the run was audited. */

export function callsSince(h: Harness, mark: number, method?: string): RecordedCall[] {
  return h.slack.calls.slice(mark).filter((c) => !method || c.method === method);
}

/** Calls Slack accepted (a 429 or `ok: false` answer posted nothing). */
export function acceptedSince(h: Harness, mark: number, method: string): RecordedCall[] {
  return callsSince(h, mark, method).filter((c) => c.answer?.ok === true);
}

export function textOf(call: RecordedCall): string {
  return JSON.stringify(call.args);
}

let conversationCounter = 0;

/**
 * A conversation ID in Front's format that no earlier check asked about, so the tenant's short answer cache
 * cannot stand in for Front and the injected fault is what the check meets.
 */
export function freshConversation(): string {
  conversationCounter += 1;
  return `cnv_rl${Date.now().toString(36).slice(-5)}${conversationCounter.toString(36)}`;
}

/** The accepted threaded replies since `mark` in `channel`, once one of them is a final answer (not the parent). */
export async function threadedAnswer(
  h: Harness,
  mark: number,
  channel = CHANNEL,
  timeoutMs = 15_000,
): Promise<RecordedCall[]> {
  return waitFor(
    () => {
      const replies = acceptedSince(h, mark, 'chat.postMessage').filter(
        (c) => c.args.channel === channel && c.args.thread_ts !== undefined,
      );
      return replies.length > 0 ? replies : undefined;
    },
    `a threaded reply in ${channel}`,
    timeoutMs,
  );
}

/** The posts to one command's response_url (each command gets its own), once at least one arrived. */
export async function ephemeralAnswer(h: Harness, responseUrl: string, timeoutMs = 15_000): Promise<RecordedCall[]> {
  const path = new URL(responseUrl).pathname;
  return waitFor(
    () => {
      const found = h.slack.calls.filter((c) => c.method === 'response_url' && c.path === path && c.answer?.ok);
      return found.length > 0 ? found : undefined;
    },
    'an ephemeral answer through response_url',
    timeoutMs,
  );
}

/** Everything the store holds that a fault must not lose, read back through the Store API. */
export interface StoreSnapshot {
  tenants: { name: string; token: string | null }[];
  bindings: { channel: string; tenant: string | undefined }[];
  audit: ActivityEntry[];
}

export async function snapshotStore(h: Harness, channels: string[]): Promise<StoreSnapshot> {
  const tenants = await Promise.all(
    (await h.store.listTenants()).map(async (t) => ({ name: t.name, token: await h.store.getTenantToken(t.name) })),
  );
  const bindings = await Promise.all(
    channels.map(async (channel) => ({ channel, tenant: (await h.store.getChannelBinding(TEAM_ID, channel))?.tenant })),
  );
  const audit = await h.store.listActivity({ limit: 1000 });
  return { tenants, bindings, audit };
}

/**
 * Nothing lost: every tenant still there with a token that decrypts to the same value, every binding still in
 * place, every earlier audit entry still listed unchanged; and the runs since `before` were audited.
 */
export async function expectNothingLost(
  h: Harness,
  before: StoreSnapshot,
  expectActivity: Partial<ActivityEntry>[] = [],
): Promise<void> {
  const after = await snapshotStore(
    h,
    before.bindings.map((b) => b.channel),
  );
  expect(after.tenants).toEqual(before.tenants);
  expect(after.bindings).toEqual(before.bindings);
  const ids = new Set(before.audit.map((e) => e.id));
  expect(after.audit.filter((e) => ids.has(e.id))).toEqual(before.audit);
  const added = after.audit.filter((e) => !ids.has(e.id));
  for (const expected of expectActivity) expect(added).toContainEqual(expect.objectContaining(expected));
}

/** /healthz answers 200. */
export async function expectHealthy(h: Harness): Promise<void> {
  const res = await fetch(`${h.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true });
}
