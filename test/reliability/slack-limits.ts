import type { SlackMessage } from '../../src/slack/render/block-kit';

/**
 * What Slack accepts in one chat.postMessage / response_url message, and what must never be in one: the shared
 * checks of the renderer property tests. Returns every problem found, so a failing case says what broke.
 */

export const SLACK = {
  blocksPerMessage: 50,
  sectionText: 3000,
  contextElements: 10,
  contextText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  actionsElements: 25,
  /** `text` is the notification and screen-reader fallback; Slack advises keeping it under 4,000 characters. */
  fallbackText: 4000,
  /** Slack publishes no hard total for a message's blocks, but messages much past this are refused or cut. */
  messageText: 12_000,
} as const;

/** Our own links: `<https://…|title>`, the only place `<` and `>` may appear raw. */
const OWN_LINK = /<https:\/\/[^\s|<>]+\|[^<>]*>/g;
/** Anything `&` starts must be one of the three entities Slack knows. */
const BARE_AMPERSAND = /&(?!amp;|lt;|gt;)/;

/** Problems of one mrkdwn or plain text that Slack would read. */
export function unescapedProblems(text: string, where: string): string[] {
  const problems: string[] = [];
  const rest = text.replace(OWN_LINK, '');
  const angle = /[<>]/.exec(rest);
  if (angle)
    problems.push(
      `${where}: raw "${angle[0]}" near ${JSON.stringify(rest.slice(Math.max(0, angle.index - 20), angle.index + 20))}`,
    );
  const amp = BARE_AMPERSAND.exec(text);
  if (amp)
    problems.push(`${where}: bare "&" near ${JSON.stringify(text.slice(Math.max(0, amp.index - 10), amp.index + 10))}`);
  return problems;
}

interface TextObject {
  type: string;
  text: string;
}

/** Every Slack limit and escaping problem of `messages`; empty when Slack would take them all as meant. */
export function slackProblems(messages: SlackMessage[]): string[] {
  const problems: string[] = [];
  if (messages.length === 0) problems.push('no message at all');
  messages.forEach((m, n) => {
    const at = `message ${n + 1}`;
    if (typeof m.text !== 'string' || m.text.trim() === '') problems.push(`${at}: empty fallback text`);
    else {
      if (m.text.length > SLACK.fallbackText) problems.push(`${at}: fallback text of ${m.text.length} characters`);
      problems.push(...unescapedProblems(m.text, `${at} fallback`));
    }
    if (m.blocks.length > SLACK.blocksPerMessage) problems.push(`${at}: ${m.blocks.length} blocks`);
    let total = 0;
    const actionIds = new Set<string>();
    m.blocks.forEach((raw, b) => {
      const block = raw as unknown as Record<string, unknown>;
      const where = `${at} block ${b + 1} (${String(block.type)})`;
      const checkText = (t: TextObject | undefined, max: number) => {
        if (!t || typeof t.text !== 'string') return void problems.push(`${where}: missing text`);
        if (t.text.length === 0) problems.push(`${where}: empty text`);
        if (t.text.length > max) problems.push(`${where}: text of ${t.text.length} characters (max ${max})`);
        if (t.type !== 'mrkdwn' && t.type !== 'plain_text') problems.push(`${where}: text type ${t.type}`);
        total += t.text.length;
        problems.push(...unescapedProblems(t.text, where));
      };
      switch (block.type) {
        case 'section':
          checkText(block.text as TextObject | undefined, SLACK.sectionText);
          break;
        case 'context': {
          const elements = (block.elements ?? []) as TextObject[];
          if (elements.length === 0 || elements.length > SLACK.contextElements)
            problems.push(`${where}: ${elements.length} elements`);
          for (const e of elements) checkText(e, SLACK.contextText);
          break;
        }
        case 'header':
          checkText(block.text as TextObject | undefined, SLACK.headerText);
          if ((block.text as TextObject | undefined)?.type !== 'plain_text')
            problems.push(`${where}: header text must be plain_text`);
          break;
        case 'actions': {
          const elements = (block.elements ?? []) as {
            type: string;
            action_id: string;
            value?: string;
            text: TextObject;
          }[];
          if (elements.length === 0 || elements.length > SLACK.actionsElements)
            problems.push(`${where}: ${elements.length} elements`);
          for (const e of elements) {
            checkText(e.text, SLACK.buttonText);
            if (e.text?.type !== 'plain_text') problems.push(`${where}: button text must be plain_text`);
            if (e.value !== undefined && e.value.length > SLACK.buttonValue)
              problems.push(`${where}: button value of ${e.value.length} characters`);
            if (!e.action_id || e.action_id.length > SLACK.actionId) problems.push(`${where}: bad action_id`);
            if (actionIds.has(e.action_id)) problems.push(`${where}: action_id ${e.action_id} twice in one message`);
            actionIds.add(e.action_id);
            total += e.value?.length ?? 0;
          }
          break;
        }
        case 'divider':
          break;
        default:
          problems.push(`${where}: unexpected block type`);
      }
    });
    if (total > SLACK.messageText) problems.push(`${at}: ${total} characters of text in its blocks`);
    if (m.blocks[0]?.type === 'divider' || m.blocks[m.blocks.length - 1]?.type === 'divider')
      problems.push(`${at}: starts or ends with a divider`);
  });
  return problems;
}
