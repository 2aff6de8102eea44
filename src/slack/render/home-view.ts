import type { Deflection } from '../../deflection';
import type { AuditSchedule, AuditTeammate } from '../../store';
import { safeCut, type Block } from './block-kit';
import { escapeText, inlineCode } from './escape';

/** Slack's limits for a Home tab view. */
export const HOME_LIMITS = { blocks: 100, sectionChars: 3000 } as const;

export interface HomeTokenStatus {
  masked: string;
  kind: string;
  /** null: the token carries no scopes claim (Front keeps them). */
  scopes: string[] | null;
  /** From the last audit: true works, false refused, null not checked yet. */
  works: boolean | null;
  error: string | null;
  companyName: string | null;
}

export interface HomeTenant {
  name: string;
  /** Bound channels of this tenant the viewer is in. */
  channelIds: string[];
  token: HomeTokenStatus;
  /** null: no audit result stored yet. */
  lastAudit: { ranAt: Date; preferenceOff: AuditTeammate[]; checked: number; total: number } | null;
  /** Diagnoses in the period, most frequent first. */
  causes: { cause: string; count: number }[];
  /** Shown to admins only; null when never scheduled. */
  schedule?: AuditSchedule | null;
  /** Customer mode in the period, when a customer asked at all. */
  customers?: Deflection;
}

export interface OpenWatch {
  tenant: string;
  target: string;
  channelId: string;
  since: Date;
}

export interface HomeData {
  admin: boolean;
  tenants: HomeTenant[];
  openWatches: OpenWatch[];
  /** How far back `causes` counts. */
  days: number;
  /** Admins only: Front error wordings no rule explains, first seen in the last `days` days of `unknownDays`. */
  newUnknownWordings?: { count: number; days: number };
}

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

const BAR_WIDTH = 20;
const MAX_LIST = 10;

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: safeCut(text, HOME_LIMITS.sectionChars) } };
}

function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: safeCut(text, HOME_LIMITS.sectionChars) }] };
}

/** Lines joined until the section would be too long, then "and N more". */
function listWithin(lines: string[], max = MAX_LIST, room = HOME_LIMITS.sectionChars - 200): string {
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (shown.length >= max || used + line.length + 1 > room) break;
    shown.push(line);
    used += line.length + 1;
  }
  if (shown.length < lines.length) shown.push(`and ${lines.length - shown.length} more`);
  return shown.join('\n');
}

/** A text bar: Slack cannot load images from this host. */
export function bar(count: number, max: number): string {
  const width = max <= 0 ? 0 : Math.max(1, Math.round((count / max) * BAR_WIDTH));
  return '█'.repeat(width);
}

const date = (d: Date) => `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${d.toISOString()}>`;

function tokenLine(t: HomeTokenStatus): string {
  const state =
    t.works === true
      ? ':white_check_mark: valid'
      : t.works === false
        ? `:x: refused by Front (${escapeText(t.error ?? 'refused')})`
        : ':grey_question: not checked by an audit yet';
  const company = t.companyName ? ` · company *${escapeText(t.companyName)}*` : '';
  const scopes = t.scopes
    ? t.scopes.length > 0
      ? t.scopes.map((s) => inlineCode(s)).join(', ')
      : '(none)'
    : 'not in the token (Front keeps them)';
  return `*Token* ${inlineCode(t.masked)}: ${state}${company}\nKind: ${escapeText(t.kind)} · scopes: ${scopes}`;
}

function tenantBlocks(t: HomeTenant, data: HomeData): Block[] {
  const blocks: Block[] = [];
  const channels = t.channelIds.map((c) => `<#${c}>`).join(' ');
  blocks.push(section(`:office: *${escapeText(t.name)}* · ${channels}`));
  blocks.push(section(tokenLine(t.token)));
  if (!t.lastAudit) {
    blocks.push(
      section(
        '*Teammates with the preference off:* no audit has run yet (`/front-why audit` in a bound channel, or schedule one with `/front-why audit schedule daily`).',
      ),
    );
  } else if (t.lastAudit.preferenceOff.length === 0) {
    blocks.push(
      section(
        `*Teammates with the preference off:* none (${t.lastAudit.checked} of ${t.lastAudit.total} checked, ${date(t.lastAudit.ranAt)})`,
      ),
    );
  } else {
    const names = t.lastAudit.preferenceOff.map((p) => `• ${escapeText(p.name)}`);
    blocks.push(
      section(
        `*Teammates with "Allow access to my individual resources via the API" off* (${t.lastAudit.preferenceOff.length}; audit of ${date(t.lastAudit.ranAt)}):\n${listWithin(names)}`,
      ),
    );
  }
  const watches = data.openWatches.filter((w) => w.tenant === t.name);
  if (watches.length > 0) {
    const lines = watches.map((w) => `• ${inlineCode(w.target)} in <#${w.channelId}> since ${date(w.since)}`);
    blocks.push(section(`*Open watches* (${watches.length}):\n${listWithin(lines)}`));
  }
  if (t.causes.length === 0) {
    blocks.push(section(`*Causes diagnosed in the last ${data.days} days:* none`));
  } else {
    const max = t.causes[0]?.count ?? 0;
    const lines = t.causes.map(
      (c) => `\`${bar(c.count, max).padEnd(BAR_WIDTH, ' ')}\` ${c.count} ${inlineCode(c.cause)}`,
    );
    blocks.push(section(`*Causes diagnosed in the last ${data.days} days:*\n${listWithin(lines)}`));
  }
  if (t.customers) blocks.push(section(customerLine(t.customers, data.days)));
  if (data.admin) {
    const s = t.schedule;
    blocks.push(
      context(
        s && s.cadence !== 'off'
          ? `:calendar: Audit schedule: ${s.cadence}${s.nextRunAt ? `, next run ${date(s.nextRunAt)}` : ''} (set by <@${escapeText(s.setBy)}>)`
          : ':calendar: Audit schedule: off — `/front-why audit schedule daily|weekly` in a bound channel',
      ),
    );
  }
  blocks.push({ type: 'divider' });
  return blocks;
}

/** What customer mode answered in the customer's own channel, and closed without an agent. */
function customerLine(c: Deflection, days: number): string {
  const time = c.medianMsToFixed === null ? '' : ` · median ${roughly(c.medianMsToFixed)} to fixed`;
  return `:handshake: *Customer questions in the last ${days} days:* ${c.answered} answered · ${c.fixedWithoutAgent} fixed without an agent${time}`;
}

/** Minutes up to two hours, then hours to one decimal, then days: a median read at a glance. */
function roughly(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = ms / 3_600_000;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

/** What the rule authors have to learn from: wordings that reached the `unknown` answer. */
function unknownsLine({ count, days }: { count: number; days: number }): string {
  if (count === 0) return `:grey_question: No new Front error wording without a rule in the last ${days} days.`;
  return (
    `:grey_question: *${count} new Front error wording${count === 1 ? '' : 's'}* no rule explains (first seen in the ` +
    `last ${days} days): the operator lists them with \`front-why unknowns --since ${days}d\` and drafts a rule ` +
    'from one with `front-why rules draft ID`.'
  );
}

/**
 * The Home tab: for each tenant of the viewer's channels, the token, who has the preference off, open watches
 * and what was diagnosed. Stays within Slack's 100 blocks: tenants that do not fit are counted at the end.
 */
export function homeView(data: HomeData): HomeView {
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: 'front-why', emoji: false } }];
  if (data.admin && data.newUnknownWordings) blocks.push(context(unknownsLine(data.newUnknownWordings)));
  if (data.tenants.length === 0) {
    blocks.push(
      section(
        'None of your channels is bound to a Front tenant yet. An admin binds one with `/front-why bind NAME` in that channel; `/front-why help` lists everything.',
      ),
    );
    return { type: 'home', blocks };
  }
  // One block is kept for the "and N more tenants" line.
  const room = HOME_LIMITS.blocks - 1;
  let shown = 0;
  for (const tenant of data.tenants) {
    const next = tenantBlocks(tenant, data);
    if (blocks.length + next.length > room) break;
    blocks.push(...next);
    shown += 1;
  }
  if (shown < data.tenants.length)
    blocks.push(
      context(
        `and ${data.tenants.length - shown} more tenant(s): open one of their channels and run \`/front-why status\`.`,
      ),
    );
  else if (blocks[blocks.length - 1]?.type === 'divider') blocks.pop();
  return { type: 'home', blocks };
}
