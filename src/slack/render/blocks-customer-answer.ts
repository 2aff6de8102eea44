import type { DiagnoseOutcome, Diagnosis } from '../../diagnosis';
import {
  actions,
  contexts,
  escapedFallback,
  LIMITS,
  sections,
  simpleMessage,
  type Block,
  type SlackMessage,
} from './block-kit';
import { concernedLine } from './blocks-customer';
import { escapeText, inlineCode, oneLine, slackLink, truncate } from './escape';

/**
 * The answer a customer reads in a shared channel (customer mode): addressed to them, in their terms. Built from its
 * own allow-list of a diagnosis's fields (`customerFacing`), never from the agent's answer: no agent steps, no why,
 * no evidence, no ranking, no checks, no token, no tenant, no rule or cause id. Not the headline either: it is
 * written for the agent ("the token connected here works, so the customer's integration…"). What the customer reads
 * is the rule's line of what happened, written for them (`what_happened`, which the rule loader keeps free of the
 * agent's words), the steps the rules write for their admin and teammates, who is concerned, and Front's
 * documentation. A cause with no step on the customer's side is not shown; the support team has it.
 */

export const CUSTOMER_ACTION_IDS = { watch: 'front_why_customer_watch' } as const;

/** What of a diagnosis the customer may read, copied field by field. */
interface CustomerFacing {
  likely: 'confirmed' | 'likeliest' | 'alternative';
  /** What happened, in the customer's words (the rule's `what_happened`). */
  happened?: string;
  admin: string[];
  teammate: string[];
  concerned?: string;
  links: { title: string; url: string }[];
}

const MAX_CAUSES = 3;
const MAX_STEPS = 6;
const MAX_LINE_CHARS = 700;
const MAX_TARGETS = 5;
/** Room for the causes in one message, leaving the greeting, the button and the note theirs. */
const MAX_CAUSE_CHARS = LIMITS.messageChars - 2_000;

function customerFacing(d: Diagnosis, index: number): CustomerFacing | undefined {
  if (d.steps.admin.length === 0 && d.steps.teammate.length === 0) return undefined;
  const concerned = concernedLine(d.owner);
  return {
    likely: d.status === 'confirmed' ? 'confirmed' : index === 0 ? 'likeliest' : 'alternative',
    ...(d.whatHappened ? { happened: d.whatHappened } : {}),
    admin: d.steps.admin.slice(0, MAX_STEPS),
    teammate: d.steps.teammate.slice(0, MAX_STEPS),
    ...(concerned ? { concerned } : {}),
    links: d.links.filter((l) => l.url.startsWith('https://')).slice(0, 3),
  };
}

export interface CustomerAnswerView {
  /** Who asked: the answer is addressed to them. */
  asker: string;
  /** The paste to re-check, when "Tell me when it works" can be offered (a live answer the customer can fix). */
  watchValue?: string;
}

/** One message: what happened, what to change and who, and "Tell me when it works" when it can be watched. */
export function customerAnswer(outcome: DiagnoseOutcome, view: CustomerAnswerView): SlackMessage {
  const to = `<@${escapeText(view.asker)}>`;
  if (!outcome.ok) {
    return simpleMessage(
      `${to} I could not read a Front error in that. Paste the whole response your integration got from Front (status and body), or the ID of the conversation (cnv_…).`,
    );
  }
  const about =
    outcome.targets.length > 0
      ? ` about ${outcome.targets
          .slice(0, MAX_TARGETS)
          .map((t) => inlineCode(t))
          .join(', ')}`
      : '';
  const facing = outcome.diagnoses
    .map((d, i) => customerFacing(d, i))
    .filter((f): f is CustomerFacing => f !== undefined)
    .slice(0, MAX_CAUSES);
  const blocks: Block[] = [];
  if (facing.length === 0) {
    const fine = outcome.live && outcome.diagnoses.length === 0 && outcome.targets.length > 0;
    blocks.push(
      ...sections(
        fine
          ? `${to} I checked${about}: Front answers it fine now. If your integration still gets the error, paste the whole error here.`
          : `${to} I looked into the error${about}, and found nothing you can change on your side. Our support team has been told and will answer in this thread.`,
      ),
    );
  } else {
    const lead =
      facing[0]?.likely === 'confirmed' ? 'Here is what to change' : 'Here is what most likely needs changing';
    // What happened opens the first cause, right below; without it, our own sentence says what follows.
    const next = facing[0]?.happened ? '' : ` ${lead} on your side.`;
    blocks.push(...sections(`${to} I looked into the Front API error${about}.${next}`));
    // Within one message: a cause that would not fit is left to the support team, and the customer is told so.
    let used = 0;
    for (const [i, f] of facing.entries()) {
      const text = causeText(f, facing.length > 1 ? i + 1 : undefined);
      if (i > 0 && used + text.length > MAX_CAUSE_CHARS) {
        blocks.push(...sections('_One more possible cause is too long to show here; our support team has it._'));
        break;
      }
      blocks.push(...sections(text));
      used += text.length;
    }
  }
  const button = view.watchValue
    ? [actions([{ actionId: CUSTOMER_ACTION_IDS.watch, label: 'Tell me when it works', value: view.watchValue }])]
    : [];
  const note =
    facing.length > 0
      ? `Once that is done, the same request should work.${view.watchValue ? ' Click *Tell me when it works* and I will tell you here.' : ''} Our support team can see this thread.`
      : 'Answered automatically. Our support team can see this thread.';
  return {
    text: escapedFallback(facing.length > 0 ? 'What to change on your side' : 'I looked into the Front API error.'),
    blocks: [...blocks, ...button, ...contexts(note)],
  };
}

const LEADS = {
  confirmed: 'What to change',
  likeliest: 'Most likely',
  alternative: 'Or it may be this instead',
} as const;

/** The same, heading a cause's line of what happened. */
const HAPPENED_LEADS = { ...LEADS, confirmed: 'What happened' } as const;

function line(text: string): string {
  return escapeText(truncate(oneLine(text), MAX_LINE_CHARS));
}

function causeText(f: CustomerFacing, number: number | undefined): string {
  // A single cause needs no heading when its line of what happened opens it (that line says how sure it is, both
  // readings for a possible one), nor when it is confirmed: the sentence above already says what follows.
  const heading =
    number || (f.likely !== 'confirmed' && !f.happened)
      ? `${number ? `${number}. ` : ''}*${(f.happened ? HAPPENED_LEADS : LEADS)[f.likely]}*`
      : '';
  const first = f.happened ? line(f.happened) : '';
  const lines = [heading && first ? `${heading}: ${first}` : heading || first].filter((l) => l !== '');
  if (f.concerned) lines.push(line(f.concerned));
  if (f.admin.length > 0) {
    lines.push('*What your Front admin can do:*');
    f.admin.forEach((step, n) => lines.push(`${n + 1}. ${line(step)}`));
  }
  if (f.teammate.length > 0) {
    lines.push(
      f.admin.length > 0
        ? '*Or each teammate concerned can do it themselves:*'
        : '*What the teammate concerned can do:*',
    );
    f.teammate.forEach((step) => lines.push(`• ${line(step)}`));
  }
  if (f.links.length > 0) lines.push(`More: ${f.links.map((l) => slackLink(l.url, l.title)).join(' · ')}`);
  return lines.join('\n');
}

/** Said in the thread instead of an answer when the asker or the channel reached its limit of checks. */
export function customerLimitMessage(asker: string, over: 'person' | 'channel', perPerson: number): SlackMessage {
  const why =
    over === 'person'
      ? `you have asked for ${perPerson} checks in the last hour, the most I run for one person`
      : 'this channel has asked for as many checks in the last hour as I run for it';
  return simpleMessage(
    `<@${escapeText(asker)}> Sorry, I cannot check this one now: ${why}. Please try again later; our support team can see this thread and may answer sooner.`,
  );
}

/** In place of an answer when the check could not run now (Front's limit for checks is busy, or no tenant). */
export function customerNotNowMessage(asker: string, why: 'busy' | 'not-set-up'): SlackMessage {
  return simpleMessage(
    why === 'busy'
      ? `<@${escapeText(asker)}> I cannot check this right now: too many checks are running for your company. Please try again in a few minutes.`
      : `<@${escapeText(asker)}> I cannot check errors in this channel yet. Our support team can see this thread and will answer here.`,
  );
}

/** The watch a customer started: addressed to them, with the Stop button only they (or our people) may use. */
export function customerWatchStartedMessage(
  watch: { id: string; label: string },
  asker: string,
  stopActionId: string,
): SlackMessage {
  const text = `<@${escapeText(asker)}> I'll tell you here when ${inlineCode(truncate(oneLine(watch.label), 120))} works.`;
  return {
    text: escapedFallback(`I'll tell you here when ${watch.label} works.`),
    blocks: [
      ...sections(text),
      actions([{ actionId: stopActionId, label: 'Stop telling me', value: watch.id, style: 'danger' }]),
    ],
  };
}

/**
 * What a watch in a customer's thread tells them. Only "fixed" quotes the runner's text (the rule's own line on what
 * changed, e.g. the teammate's preference now on); the others say what the customer needs in our own words, since the
 * runner's text for them names causes and tenants.
 */
export function customerWatchNotice(
  kind: 'fixed' | 'changed' | 'expired' | 'stopped',
  watch: { label: string; startedBy: string },
  text: string,
): SlackMessage {
  const to = `<@${escapeText(watch.startedBy)}>`;
  const what = inlineCode(truncate(oneLine(watch.label), 120));
  switch (kind) {
    case 'fixed':
      return simpleMessage(`:white_check_mark: ${to} It works now: ${escapeText(truncate(oneLine(text), 1_500))}`);
    case 'changed':
      return simpleMessage(
        `:warning: ${to} ${what} still does not work, now for another reason. I'm still watching; our support team can see this thread.`,
      );
    case 'expired':
      return simpleMessage(
        `:hourglass: ${to} I stopped watching ${what}: it still did not work. Our support team can see this thread.`,
      );
    case 'stopped':
      return simpleMessage(`:octagonal_sign: ${to} I stopped watching ${what}.`);
  }
}

/** On top of the full answer in the internal mirror channel: whose question, and a link to the customer's thread. */
export function mirrorHeader(asker: string, channelId: string, permalink: string | undefined): SlackMessage {
  const where = permalink ? slackLink(permalink, 'their thread') : `<#${escapeText(channelId)}>`;
  return simpleMessage(
    `:busts_in_silhouette: <@${escapeText(asker)}> asked in <#${escapeText(channelId)}> (${where}). They got the customer answer; the full answer follows.`,
  );
}
