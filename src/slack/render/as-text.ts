import type { SlackMessage } from './block-kit';

/**
 * A message as a person reads it in Slack, in plain text: sections and context lines once the mrkdwn is rendered
 * (bold marks gone, a link shown by its label, entities as their character; inline code keeps its backquotes),
 * and the buttons as `[Label]`. For the demo and the README, which show an answer outside Slack.
 */
export function messageAsText(message: SlackMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks) {
    if (block.type === 'section' && block.text) {
      lines.push(rendered(block.text.text));
    } else if (block.type === 'context') {
      for (const element of block.elements) if (element.type === 'mrkdwn') lines.push(rendered(element.text));
    } else if (block.type === 'actions') {
      const labels = block.elements.map((element) => (element.type === 'button' ? `[${element.text.text}]` : ''));
      lines.push(labels.filter((label) => label !== '').join('  '));
    }
  }
  return lines.join('\n');
}

function rendered(mrkdwn: string): string {
  return mrkdwn
    .replace(/<([^|<>]+)\|([^<>]*)>/g, '$2')
    .replace(/<([^|<>]+)>/g, '$1')
    .replace(/\*/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
