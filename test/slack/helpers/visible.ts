import type { RecordedCall } from './slack-standin';

interface AnyBlock {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { type: string; text?: string | { text: string }; action_id?: string }[];
}

/** The blocks a recorded post or response carried. */
export function blocksOf(call: RecordedCall): AnyBlock[] {
  return ((call.args as { blocks?: AnyBlock[] }).blocks ?? []) as AnyBlock[];
}

/** What a person reads in a message: section and context text once Slack has rendered the mrkdwn. */
export function visibleText(call: RecordedCall): string {
  const texts: string[] = [];
  for (const block of blocksOf(call)) {
    if (block.type === 'section') {
      if (block.text) texts.push(block.text.text);
      for (const field of block.fields ?? []) texts.push(field.text);
    }
    if (block.type === 'context') {
      for (const element of block.elements ?? []) if (typeof element.text === 'string') texts.push(element.text);
    }
  }
  return texts.map(rendered).join('\n');
}

export function visibleChars(call: RecordedCall): number {
  return Array.from(visibleText(call)).length;
}

export function buttonIds(call: RecordedCall): string[] {
  return blocksOf(call)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ''));
}

/** A link shows its label, bold and code markers show nothing, entities show as the character. */
function rendered(mrkdwn: string): string {
  return mrkdwn
    .replace(/<([^|<>]+)\|([^<>]*)>/g, '$2')
    .replace(/<([^|<>]+)>/g, '$1')
    .replace(/[*`]/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
