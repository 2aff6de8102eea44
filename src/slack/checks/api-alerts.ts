import { randomBytes } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import type { AlertKey, ApiAlert } from '../../store';
import { renderOutcome, type OutcomeView } from '../render/blocks';
import { alertMessage } from '../render/blocks-alert';
import { contexts } from '../render/block-kit';
import { inlineCode } from '../render/escape';
import type { SlackDeps } from '../app/deps';
import { logFailure } from '../send/failure';
import { post, postAll, update } from '../send/reply';
import type { AnsweredCall } from './api-diagnosis';
import { buttonValueFor, watchable } from './run-diagnosis';
import { channelTenant, tenantLabel } from './tenant-connections';

/**
 * How long the replica updating a thread holds it: longer than a post and an update take (each retried on a rate
 * limit), so a slow Slack does not let a second replica post the same thread; short enough that a replica that
 * died holding it stops the updates only briefly.
 */
const THREAD_LEASE_MS = 30_000;

/**
 * Grouped alerts for the API keys made with `--notify CHANNEL`: the first failure of a fingerprint on a (UTC) day
 * opens a thread in the channel, its parent saying how often and when last, the answer in the thread with the
 * buttons /front-why gives; every later failure adds one to the count in the store, and whoever holds the thread's
 * lease there updates the parent in place (chat.update) until what it shows is the count. Across replicas one claim
 * in the store decides who posts, so there is one thread per fingerprint a day however many replicas see it.
 */
export class ApiAlerts {
  constructor(
    private readonly deps: SlackDeps,
    private readonly client: webApi.WebClient,
  ) {}

  /** Runs in the background (a shutdown waits for it); a failure is logged, the caller already has its answer. */
  raise(answered: AnsweredCall): void {
    const channel = answered.key.notifyChannel;
    if (!channel || answered.answer.diagnoses.length === 0) return;
    void this.deps.inflight.track(
      this.count(answered, channel).catch((err: unknown) => {
        logFailure(this.deps.logger, 'grouped alert', err, { channel, apiKey: answered.key.name });
      }),
    );
  }

  private async count(answered: AnsweredCall, channel: string): Promise<void> {
    const { store } = this.deps;
    const at = new Date(this.deps.clock());
    const key: AlertKey = {
      channelId: channel,
      fingerprint: answered.answer.fingerprint,
      day: at.toISOString().slice(0, 10),
    };
    // Each call its own holder: two calls on one replica must not both think they hold the thread.
    const holder = `api-alert-${randomBytes(8).toString('hex')}`;
    let alert = await store.countAlert({ ...key, at, holder, leaseMs: THREAD_LEASE_MS });
    if (alert.leaseHolder !== holder) return;
    let shown = -1;
    let ts = alert.ts;
    if (!ts) {
      ts = await post(this.client, channel, this.parent(answered, alert));
      shown = alert.count;
      if (!(await store.setAlertThread(key, holder, ts))) return;
      await postAll(this.client, channel, await this.answer(answered, channel), ts);
    }
    for (;;) {
      if (alert.count !== shown) {
        await update(this.client, channel, ts, this.parent(answered, alert));
        shown = alert.count;
      }
      const next = await store.releaseAlert(key, holder, shown);
      if (!next) return;
      alert = next;
    }
  }

  private parent(answered: AnsweredCall, alert: ApiAlert) {
    const first = answered.answer.diagnoses[0];
    return alertMessage({
      tenant: answered.tenant,
      keyName: answered.key.name,
      cause: first?.cause ?? 'none',
      headline: first?.headline ?? '',
      fingerprint: answered.answer.fingerprint,
      count: alert.count,
      firstSeen: alert.firstSeen,
      lastSeen: alert.lastSeen,
    });
  }

  /**
   * The answer as /front-why posts it. Its buttons re-check with the tenant the channel is bound to, so they are
   * offered only where that is this alert's tenant; elsewhere the details come at once and the thread says how to
   * get the buttons.
   */
  private async answer(answered: AnsweredCall, channel: string) {
    const { deps } = this;
    const bound = tenantLabel(await channelTenant(deps.store, deps.config, deps.identity.teamId, channel));
    const sameTenant = bound === answered.tenant;
    const buttonValue = sameTenant ? buttonValueFor(answered.parsed, answered.outcome) : undefined;
    const view: OutcomeView = {
      tenant: answered.tenant,
      ...(answered.outcome.live ? {} : { offlineReason: 'the API call asked for ?live=false' }),
      ...(buttonValue ? { buttonValue } : {}),
      ...(sameTenant && watchable(answered.outcome, deps.rules) ? { watchable: true } : {}),
      idsInPaste: answered.parsed.ids.length,
    };
    const messages = renderOutcome(answered.outcome, view);
    if (sameTenant) return messages;
    const note = contexts(
      `Check again and Watch until fixed re-check with the tenant this channel is bound to: bind it to ${inlineCode(answered.tenant)} (\`/front-why bind ${answered.tenant}\`) to have them under these alerts.`,
    );
    const last = messages.at(-1);
    return last ? [...messages.slice(0, -1), { ...last, blocks: [...last.blocks, ...note].slice(0, 50) }] : messages;
  }
}
