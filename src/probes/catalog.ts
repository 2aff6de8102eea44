import type { FrontResult } from '../front';
import { frontPaths } from '../front/ids';
import { describeResource, resourcePath } from '../front/resources';
import type { FactPath, ProbeId } from '../facts';
import { isRecord } from '../is-record';
import {
  answeredStatus,
  frontErrorMessage,
  frontWasUnreachable,
  idFromLink,
  readPrivateAccess,
  readTeammatePage,
  readTeammates,
  preferenceFindings,
  teammateLabel,
  type PrivateAccess,
  type TeammateSummary,
} from './front-reads';
import type { Probe, ProbeContext, ProbeFactValue, ProbeOutput, RecalledTeammates } from './types';

/** How many requests one diagnosis may spend checking teammates to name whose preference is off; `audit` checks everyone. */
export const TEAMMATES_PER_DIAGNOSIS = 8;
/**
 * The share of the company's per-minute limit one diagnosis may take, every request of it counted (the reads that
 * decide the cause, the teammate list, the teammate checks): the limit is the customer's first, and a big company would
 * otherwise cost a minute's worth per question. What is left is checked in the background (src/diagnosis/owner-sweep.ts)
 * or by an audit.
 */
export const OWNER_SHARE = 0.1;
/** Front's lowest plan (Starter), assumed until Front's headers tell the company's limit. */
const ASSUMED_LIMIT = 50;

/** Requests one diagnosis may send in all: OWNER_SHARE of the company's limit (5 on Starter), at least one. */
function diagnosisShare(limitPerMinute: number | undefined): number {
  return Math.max(1, Math.floor(OWNER_SHARE * (limitPerMinute ?? ASSUMED_LIMIT)));
}

/**
 * Teammates one diagnosis may still check: what is left of its share after every request it has sent so far (counted
 * by the probe run, not estimated), within its own cap and its calls left; never below none.
 */
function teammatesToCheck(ctx: ProbeContext, limitPerMinute: number | undefined): number {
  const leftOfShare = diagnosisShare(limitPerMinute) - ctx.callsSent();
  return Math.max(0, Math.min(TEAMMATES_PER_DIAGNOSIS, leftOfShare, ctx.callsLeft()));
}

const tokenProbe: Probe = {
  id: 'token',
  needs: [],
  cost: 0,
  // Free, and what it tells (the kind of token, its scopes) makes whole rules moot before anything is asked.
  stage: 0,
  async run({ token }) {
    const facts: ProbeOutput['facts'] = {
      'token.kind': token.kind,
      'token.workspace_restricted': token.workspaceRestricted,
    };
    if (token.expired !== undefined) facts['token.expired'] = token.expired;
    const unknown: FactPath[] = [];
    // A token without a scopes claim keeps its permissions server-side: that is "cannot tell", not "no access".
    if (token.scopes) facts['token.scopes'] = token.scopes;
    else unknown.push('token.scopes');
    if (token.privateScope !== undefined) facts['token.private_scope'] = token.privateScope;
    else unknown.push('token.private_scope');
    if (token.sharedScope !== undefined) facts['token.shared_scope'] = token.sharedScope;
    else unknown.push('token.shared_scope');
    return { ok: true, facts, unknown };
  },
  // A token restricted to workspaces is explained by which workspaces it can see: ask alongside the first reads.
  followUps: (output) => (output.facts['token.workspace_restricted'] === true ? ['teams'] : []),
};

const meProbe: Probe = {
  id: 'me',
  needs: [],
  cost: 1,
  // Front's answer to the read of the refused resource itself usually tells what this would (the token accepted,
  // Front reachable): asked after it, and only when the rules still need it.
  stage: 2,
  async run(ctx) {
    const result = await ctx.call(frontPaths.me(), 'GET /me');
    const read = readAnswer(result, 'me');
    if (!read.answered) return read.output;
    const { status, facts } = read;
    if (result.kind === 'response' && status === 200 && isRecord(result.body) && typeof result.body.name === 'string') {
      facts['me.company_name'] = result.body.name;
    }
    return { ok: true, facts };
  },
};

const conversationProbe: Probe = {
  id: 'conversation',
  needs: [],
  cost: 1,
  async run(ctx) {
    const target = ctx.target;
    if (!target) return { ok: false, facts: {} };
    const result = await ctx.call(frontPaths.conversation(target), `GET /conversations/${target}`, { fresh: true });
    const read = readAnswer(result, 'conversation');
    if (!read.answered) return read.output;
    const { status, facts } = read;
    if (result.kind !== 'response') return { ok: true, facts };
    if (status === 200 && isRecord(result.body) && typeof result.body.is_private === 'boolean') {
      facts['conversation.is_private'] = result.body.is_private;
    }
    if (status === 301) {
      const mergedInto = idFromLink(result.location, 'conversations');
      if (mergedInto) {
        facts['conversation.merged_into'] = mergedInto;
        // Follow once, so the reply can say whether the conversation it was merged into reads fine.
        if (ctx.callsLeft() > 0)
          await ctx.call(frontPaths.conversation(mergedInto), `GET /conversations/${mergedInto} (merged into)`, {
            fresh: true,
          });
      }
    }
    return { ok: true, facts };
  },
};

/** The refused resource itself, when it is not a conversation: the OpenAPI document's GET for it. */
const resourceProbe: Probe = {
  id: 'resource',
  needs: [],
  cost: 1,
  async run(ctx) {
    const ref = ctx.resource;
    if (!ref) return { ok: false, facts: {} };
    const path = resourcePath(ref);
    const result = await ctx.call(path, `GET ${path} (${describeResource(ref)})`, { fresh: true });
    const read = readAnswer(result, 'resource');
    if (!read.answered) return read.output;
    const { status, facts } = read;
    if (
      result.kind === 'response' &&
      status === 200 &&
      isRecord(result.body) &&
      typeof result.body.is_private === 'boolean'
    )
      facts['resource.is_private'] = result.body.is_private;
    return { ok: true, facts };
  },
};

const inboxesProbe: Probe = {
  id: 'inboxes',
  // Asked once the conversation has answered, and only when that answer leaves something for its inboxes to tell.
  needs: ['conversation'],
  cost: 1,
  async run(ctx) {
    const target = ctx.target;
    if (!target) return { ok: false, facts: {} };
    // A conversation read Front did not answer (down, a timeout) says nothing of its inboxes either: unknown, as a
    // failed read of them would be.
    if (typeof ctx.fact('conversation.status') !== 'number') return { ok: false, facts: {} };
    if (!inboxesCanTell(ctx)) return { ok: true, facts: {} };
    const result = await ctx.call(frontPaths.conversationInboxes(target), `GET /conversations/${target}/inboxes`);
    const status = answeredStatus(result);
    if (status === undefined || result.kind !== 'response') return { ok: false, facts: {} };
    const facts: ProbeOutput['facts'] = { 'inboxes.status': status };
    setIf(facts, 'inboxes.error_message', frontErrorMessage(result));
    const list = isRecord(result.body) ? result.body._results : undefined;
    if (status !== 200 || !Array.isArray(list)) return { ok: true, facts };
    const inboxes = list.filter(isRecord);
    facts['inboxes.private'] = inboxes.some((inbox) => inbox.is_private === true);
    const ownerLinks = inboxes.map((inbox) => ownerLink(inbox));
    const teammate = ownerLinks.map((link) => idFromLink(link, 'teammates')).find((id) => id !== undefined);
    setIf(facts, 'inboxes.owner_teammate_id', teammate);
    facts['inboxes.team_ids'] = ownerLinks
      .map((link) => idFromLink(link, 'teams'))
      .filter((id): id is string => id !== undefined);
    return { ok: true, facts };
  },
};

/**
 * Whether the conversation's answer leaves its inboxes something to tell: they do when it reads (which inboxes hold it,
 * whose private inbox), was merged, or was refused for some other reason than the conversation itself (a permission
 * the listing may not need). A conversation Front refused to this token (403, "not allowed to read the conversation"),
 * does not know (404) or refused the token for (401) has its inbox listing answered the same: Front checks the
 * conversation before its sub-resource. A rate-limited read (429) waits for the next window. Asking would cost the
 * customer a request of their minute and tell nothing new.
 */
function inboxesCanTell(ctx: ProbeContext): boolean {
  const status = ctx.fact('conversation.status');
  if (status === 401 || status === 404 || status === 429) return false;
  const message = ctx.fact('conversation.error_message');
  return !(status === 403 && typeof message === 'string' && NOT_ALLOWED_CONVERSATION.test(message));
}
const NOT_ALLOWED_CONVERSATION = /not allowed to read the "conversation"/i;

const ownerProbe: Probe = {
  id: 'owner',
  needs: ['inboxes'],
  cost: 1,
  async run(ctx) {
    const ownerId = ownerOf(ctx);
    if (!ownerId) return { ok: true, facts: {} };
    const result = await ctx.call(frontPaths.teammate(ownerId), `GET /teammates/${ownerId}`);
    if (result.kind !== 'response') return { ok: false, facts: {} };
    const teammate = result.status === 200 ? teammateLabel(result.body) : undefined;
    return { ok: true, facts: teammate ? { 'owner.name': teammate.label } : {} };
  },
};

const ownerAccessProbe: Probe = {
  id: 'owner_access',
  needs: ['inboxes'],
  cost: 1,
  async run(ctx) {
    const ownerId = ownerOf(ctx);
    if (!ownerId) return { ok: true, facts: {} };
    const access = await readPrivateAccess(ctx.call, ownerId);
    return access === 'unknown' ? { ok: false, facts: {} } : { ok: true, facts: { 'owner.private_access': access } };
  },
};

const teammatesAccessProbe: Probe = {
  id: 'teammates_access',
  // After the reads of the owner the answer names when Front tells whose it is (one request each at most): the checks
  // are sized from the requests sent before them, so a read that answered later would go past the share.
  needs: ['owner', 'owner_access'],
  cost: 1 + TEAMMATES_PER_DIAGNOSIS,
  async prepare(ctx) {
    // A map to trust spares the list; otherwise the list is one request, kept per tenant: the sweep then reads it
    // without asking again.
    if (await trustedMap(ctx)) return;
    await readTeammates(ctx.call);
  },
  async run(ctx) {
    const known = await trustedMap(ctx);
    const fromMap = known ? await checkCandidates(ctx, known) : undefined;
    return fromMap?.output ?? sweepTeammates(ctx, fromMap?.checked ?? []);
  },
};

/**
 * The tenant's teammate map, when it may stand in for a sweep: fresh enough (the memory's own TTL), and the token's
 * claims prove it has the private namespace, since checking only the candidates (all refused) cannot prove that.
 */
async function trustedMap(ctx: ProbeContext): Promise<RecalledTeammates | undefined> {
  return ctx.token.privateScope === true ? ctx.recallTeammates() : undefined;
}

/** A teammate whose private listing this diagnosis has asked for, and what it said. */
interface TeammateCheck {
  teammate: TeammateSummary;
  access: PrivateAccess;
}

/**
 * Checks live only the teammates the map has with the preference off. No output (sweep instead) when the map cannot
 * answer: it had nobody off, or more than this diagnosis may still check, or every candidate has it on now; then
 * whoever owns the refused resource turned it off since, and only a sweep finds them (the candidates checked here are
 * not asked again). A live answer always wins over the map, and goes back into it.
 */
async function checkCandidates(
  ctx: ProbeContext,
  known: RecalledTeammates,
): Promise<{ output?: ProbeOutput; checked: TeammateCheck[] }> {
  const candidates = known.teammates.filter((t) => t.access === 'denied');
  const limit = teammatesToCheck(ctx, undefined);
  if (candidates.length === 0 || candidates.length > limit) return { checked: [] };
  const results = await Promise.all(
    candidates.map(async (t) => ({ teammate: t, access: await readPrivateAccess(ctx.call, t.id) })),
  );
  const found = preferenceFindings(results);
  ctx.learnTeammates(found, false);
  const stillOffFindings = found.filter((f) => f.access === 'denied');
  const stillOff = stillOffFindings.map((f) => f.label);
  if (stillOff.length === 0) return { checked: results };
  const allAnswered = found.length === candidates.length;
  const facts: ProbeOutput['facts'] = {
    'teammates.access_denied': stillOff,
    'teammates.access_denied_count': stillOff.length,
    'teammates.access_allowed_count': found.length - stillOff.length,
    'teammates.access_forbidden_count': results.filter((r) => r.access === 'forbidden').length,
    'teammates.checked_count': found.length,
    'teammates.total_count': known.total,
    'teammates.complete': allAnswered,
    'teammates.known_as_of': known.asOf,
    // Which live answers the map's word now rests on, for the answer to show.
    'teammates.confirmed_by': stillOffFindings.map(
      (f) => `GET ${String(frontPaths.teammatePrivateInboxes(f.id))}: 403`,
    ),
  };
  // Everyone else had it on then, and this one still has it off now.
  if (allAnswered && stillOff.length === 1) facts['teammates.sole_denied'] = stillOff[0];
  return { output: { ok: true, facts }, checked: results };
}

/**
 * Each teammate on the first page, as far as what is left of this diagnosis's share allows: whose preference is off.
 * Teammates this diagnosis already checked (`before`) count as checked and are not asked again.
 */
async function sweepTeammates(ctx: ProbeContext, before: readonly TeammateCheck[]): Promise<ProbeOutput> {
  const page = await readTeammatePage(ctx.call);
  if (!page) return { ok: false, facts: {} };
  const { teammates } = page;
  const earlier = new Map(before.map((r) => [r.teammate.id, r.access]));
  const known = teammates.flatMap((t) => {
    const access = earlier.get(t.id);
    return access !== undefined ? [{ teammate: t, access }] : [];
  });
  const unchecked = teammates.filter((t) => !earlier.has(t.id));
  const results: TeammateCheck[] = [...known];
  // Sized after the list, from the requests actually sent: a check the tenant's recent answers held cost nothing, so
  // what it left of the share goes to the next teammates, in one more round.
  const sentBefore = ctx.callsSent();
  for (;;) {
    const room = Math.min(
      teammatesToCheck(ctx, page.limitPerMinute),
      TEAMMATES_PER_DIAGNOSIS - (ctx.callsSent() - sentBefore),
    );
    if (room <= 0 || unchecked.length === 0) break;
    const round = unchecked.splice(0, room);
    results.push(
      ...(await Promise.all(
        round.map(async (t) => ({ teammate: t, access: await readPrivateAccess(ctx.call, t.id) })),
      )),
    );
  }
  const decided = results.filter((r) => r.access !== 'unknown');
  const denied = decided.filter((r) => r.access === 'denied').map((r) => r.teammate.label);
  const allowed = decided.filter((r) => r.access === 'allowed').length;
  const complete = !page.more && decided.length === teammates.length;
  const found = preferenceFindings(results);
  // The map names an owner by elimination only if it knows every teammate's preference.
  ctx.learnTeammates(found, complete && found.length === decided.length);
  const facts: ProbeOutput['facts'] = {
    'teammates.access_denied': denied,
    'teammates.access_denied_count': denied.length,
    'teammates.access_allowed_count': allowed,
    'teammates.access_forbidden_count': decided.length - allowed - denied.length,
    'teammates.checked_count': decided.length,
    'teammates.complete': complete,
  };
  if (!page.more) facts['teammates.total_count'] = teammates.length;
  // Everyone checked, everyone else readable: a refused private resource can belong to this teammate only.
  if (complete && denied.length === 1 && allowed === decided.length - 1) facts['teammates.sole_denied'] = denied[0];
  return { ok: true, facts };
}

const teamsProbe: Probe = {
  id: 'teams',
  needs: [],
  cost: 1,
  async run(ctx) {
    const result = await ctx.call(frontPaths.teams(), 'GET /teams');
    if (
      result.kind !== 'response' ||
      result.status !== 200 ||
      !isRecord(result.body) ||
      !Array.isArray(result.body._results)
    ) {
      return { ok: false, facts: {} };
    }
    const ids = result.body._results
      .filter(isRecord)
      .map((team) => team.id)
      .filter((id): id is string => typeof id === 'string');
    return { ok: true, facts: { 'teams.visible_ids': ids } };
  },
};

export const PROBES: Record<ProbeId, Probe> = {
  token: tokenProbe,
  me: meProbe,
  conversation: conversationProbe,
  resource: resourceProbe,
  inboxes: inboxesProbe,
  owner: ownerProbe,
  owner_access: ownerAccessProbe,
  teammates_access: teammatesAccessProbe,
  teams: teamsProbe,
};

/** The private inbox's owner, or the teammate whose own listing was refused. */
function ownerOf(ctx: ProbeContext): string | undefined {
  const id = ctx.fact('inboxes.owner_teammate_id');
  if (typeof id === 'string') return id;
  return ctx.resource?.kind === 'teammate_resources' ? ctx.resource.teammate : undefined;
}

function ownerLink(inbox: Record<string, unknown>): unknown {
  const links = inbox._links;
  if (!isRecord(links) || !isRecord(links.related)) return undefined;
  return links.related.owner;
}

/**
 * What every read of one thing records first: whether Front could be reached, and when it answered, its status
 * and error wording (`me.*`, `conversation.*`, `resource.*`). A read the budget held back records nothing.
 */
function readAnswer(
  result: FrontResult,
  thing: 'me' | 'conversation' | 'resource',
): { answered: false; output: ProbeOutput } | { answered: true; status: number; facts: ProbeOutput['facts'] } {
  const reachable: FactPath = `${thing}.reachable`;
  const connectFailed: FactPath = `${thing}.connect_failed`;
  if (frontWasUnreachable(result)) {
    const failed = result.kind === 'unreachable' && result.reason === 'connect';
    return { answered: false, output: { ok: false, facts: { [reachable]: false, [connectFailed]: failed } } };
  }
  const status = answeredStatus(result);
  if (status === undefined) return { answered: false, output: { ok: false, facts: {} } };
  const statusPath: FactPath = `${thing}.status`;
  const facts: ProbeOutput['facts'] = { [statusPath]: status, [reachable]: true };
  setIf(facts, `${thing}.error_message`, frontErrorMessage(result));
  return { answered: true, status, facts };
}

function setIf(facts: ProbeOutput['facts'], path: FactPath, value: ProbeFactValue | undefined): void {
  if (value !== undefined && value !== '') facts[path] = value;
}
