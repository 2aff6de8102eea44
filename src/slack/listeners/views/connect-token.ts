import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { inspectToken } from '../../../front';
import { isStoreError, type TenantCheck } from '../../../store';
import { isExternal } from '../../app/admins';
import { recordActivity } from '../../checks/record-activity';
import { simpleMessage } from '../../render/block-kit';
import {
  connectCheckingView,
  connectResultView,
  parseConnectMetadata,
  TOKEN_ACTION_ID,
  TOKEN_BLOCK_ID,
} from '../../render/connect-view';
import type { Requester, SlackDeps } from '../../app/deps';
import { escapeText, inlineCode } from '../../render/escape';
import { failureText, logFailure } from '../../send/failure';
import { retryRateLimited } from '../../send/slack-retry';
import { postEphemeral, reachUser } from '../../send/reply';
import { checkTokenHealth, describeHealth } from '../../checks/token-health';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * The connect modal's submission. Cheap checks answer inside the modal; then the modal shows "checking…" (the
 * ack), the token is checked live with GET /me, and only a token Front accepts is stored, encrypted. The
 * submitted value is never echoed, logged or put in an error.
 */
export function connectTokenSubmission(deps: SlackDeps) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const refuse = (message: string) => ack({ response_action: 'errors', errors: { [TOKEN_BLOCK_ID]: message } });
    const meta = parseConnectMetadata(view.private_metadata);
    if (!meta || meta.teamId !== deps.identity.teamId)
      return refuse('This form is out of date: run /front-why connect NAME again.');
    const token = (view.state.values[TOKEN_BLOCK_ID]?.[TOKEN_ACTION_ID]?.value ?? '').trim().replace(/^Bearer\s+/i, '');
    if (token === '') return refuse('Paste the Front API token.');
    if (inspectToken(token, { now: deps.clock }).problem?.startsWith('not a JWT')) {
      return refuse(
        'That is not a Front API token: they are long texts starting with "eyJ" (Settings → Developers → API Tokens). Nothing was stored.',
      );
    }
    // Only the user's own team counts: `body.team` is where the form was opened, a guest's too.
    const userTeam = body.user.team_id;
    const verdict = await deps.admins.check(client, body.user.id);
    if (!verdict.admin || isExternal(deps.identity, userTeam ? { teamId: userTeam } : {})) {
      return refuse('Only front-why admins of this workspace can connect tenants. Nothing was stored.');
    }
    await ack({ response_action: 'update', view: connectCheckingView(meta.tenant) });

    const who: Requester = { userId: body.user.id, teamId: deps.identity.teamId, channelId: meta.channelId };
    await deps.inflight.track(
      (async () => {
        let text: string;
        try {
          text = await checkAndStore(deps, who, meta.tenant, token);
        } catch (err) {
          const ref = logFailure(deps.logger, 'connect tenant', err, { tenant: meta.tenant, user: who.userId });
          text = failureText(`connecting *${escapeText(meta.tenant)}*`, err, ref);
        }
        const shown = await reachUser([
          () => retryRateLimited(() => client.views.update({ view_id: body.view.id, view: connectResultView(text) })),
          () => postEphemeral(client, who.channelId, who.userId, simpleMessage(text)),
        ]);
        if (!shown) deps.logger.warn({ tenant: meta.tenant, user: who.userId }, 'could not show the connect result');
      })(),
    );
  };
}

async function checkAndStore(deps: SlackDeps, who: Requester, name: string, token: string): Promise<string> {
  const connection = deps.connect(token, name);
  let adopted = false;
  try {
    const health = await checkTokenHealth(connection, deps.clock, deps.config.FRONT_WHY_REQUEST_TIMEOUT_MS);
    if (health.kind !== 'valid') {
      await recordActivity(deps, who, {
        action: 'tenant.check',
        tenant: name,
        detail: `slack connect refused: ${health.kind}`,
      });
      return `Nothing was stored for *${escapeText(name)}*. ${describeHealth(health)}.`;
    }
    const scopes = connection.live.token.scopes;
    const check: TenantCheck = {
      companyId: health.companyId ?? null,
      companyName: health.companyName ?? null,
      // A token without a scopes claim keeps its permissions at Front; [] records "none in the token".
      scopes: scopes ?? [],
      checkedAt: new Date(deps.clock()),
    };
    const action = await store(deps, who, name, token, check);
    deps.tenants.adopt(name, token, connection);
    adopted = true;
    await recordActivity(deps, who, {
      action,
      tenant: name,
      detail: `slack connect: company ${health.companyName ?? health.companyId ?? 'unknown'}`,
    });
    const verb = action === 'tenant.add' ? 'is connected' : 'has a new token';
    return [
      `:white_check_mark: Tenant *${escapeText(name)}* ${verb}. ${describeHealth(health)}.`,
      `The token ${inlineCode(connection.maskedToken)} is stored encrypted.`,
      `Next: run \`/front-why bind ${escapeText(name)}\` in each channel that should check with it.`,
    ].join('\n');
  } finally {
    if (!adopted) await connection.close();
  }
}

async function store(
  deps: SlackDeps,
  who: Requester,
  name: string,
  token: string,
  check: TenantCheck,
): Promise<'tenant.add' | 'tenant.token.replace'> {
  if (!(await deps.store.getTenant(name))) {
    try {
      await deps.store.addTenant({
        name,
        token,
        ...(check.companyId ? { companyId: check.companyId } : {}),
        ...(check.companyName ? { companyName: check.companyName } : {}),
        scopes: check.scopes,
        checkedAt: check.checkedAt,
        addedBy: who.userId,
      });
      return 'tenant.add';
    } catch (err) {
      // Another admin (or replica) added it in the meantime: this submission replaces its token instead.
      if (!isStoreError(err, 'tenant_exists')) throw err;
    }
  }
  await deps.store.replaceTenantToken(name, token, check);
  return 'tenant.token.replace';
}
