import { simpleMessage } from '../render/block-kit';
import { escapeText } from '../render/escape';
import { respondEphemeral } from '../send/reply';
import type { VerbContext } from './verb';

export function helpText(botName: string): string {
  return [
    '*front-why* explains Front API access errors with live checks against the customer’s Front account.',
    '',
    '*Check something*',
    '• `/front-why cnv_123abc` — a conversation ID (or a message `msg_…`, tag `tag_…`, message template `rsp_…`, … ID), a Front app link, or a pasted error (JSON, curl output, log lines)',
    '• `/front-why status` — this channel’s tenant and whether Front accepts its token',
    '• `/front-why audit` — list every teammate whose API access to their individual resources is off',
    '• `/front-why watches` — the watches of this channel (click *Watch until fixed* under an answer to start one)',
    '',
    '*Admins*',
    '• `/front-why connect NAME` — add a tenant, or replace its token (a form opens to paste it)',
    '• `/front-why bind NAME` / `/front-why unbind` — choose which tenant this channel checks with',
    '• `/front-why listen on|off` — answer pasted Front errors and Front IDs (conversations, messages, tags, …) in this channel without a command',
    '• `/front-why allow-external on|off` — let Slack Connect guests run checks in this channel',
    '• `/front-why customer-mode on [C0MIRROR]|off` — in a channel shared with one customer: their people get the answer written for them, yours the full one privately (and the mirror channel, if given)',
    '• `/front-why audit schedule daily|weekly|off` — audit this channel’s tenant on a schedule; posts here only when something changed',
    '• `/front-why reload` — load the rule files again (a broken file changes nothing and is shown to you)',
    '',
    `Answers go to a thread under a short message; invite me first (\`/invite @${escapeText(botName)}\`) or only you will see them.`,
  ].join('\n');
}

export async function helpVerb(ctx: VerbContext): Promise<void> {
  await respondEphemeral(ctx.respond, simpleMessage(helpText(ctx.deps.identity.botName), 'front-why: commands'));
}
