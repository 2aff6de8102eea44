import type { DiagnoseOutcome, Diagnosis, OwnerFinding } from '../../diagnosis';
import { contexts, escapedFallback, LIMITS, sections, splitMrkdwn, type Block, type SlackMessage } from './block-kit';
import { escapeText, oneLine } from './escape';

/**
 * Text a support agent can paste to the customer's Front admin: what is wrong, what to change and where, and for
 * which teammates (the rules' admin and teammate steps name them). Shown only to the agent, in a code block to copy.
 */
export function customerMessage(outcome: DiagnoseOutcome): SlackMessage {
  const found = outcome.ok ? outcome.diagnoses : [];
  if (found.length === 0) {
    const text =
      'There is nothing to tell the customer yet: no cause was found. Run *Check again* once they reproduce the error.';
    return { text, blocks: sections(text) };
  }
  const body = customerText(found, outcome.ok ? outcome.targets : []);
  // One code block per section, each within a section's limit, and no more than one message holds.
  const chunks = splitMrkdwn(escapeText(body), LIMITS.sectionChars - 2 * FENCE.length);
  const kept: string[] = [];
  let used = 0;
  for (const chunk of chunks) {
    if (used + chunk.length > MAX_BODY_CHARS) break;
    kept.push(chunk);
    used += chunk.length;
  }
  const shortened =
    kept.length < chunks.length ? ' It is too long for one Slack message, so only its beginning is shown.' : '';
  return {
    text: escapedFallback('Message for the customer (only you can see this)'),
    blocks: [
      ...contexts(`Only you can see this. Copy it to the customer’s Front admin:${shortened}`),
      ...kept.map((chunk): Block => ({ type: 'section', text: { type: 'mrkdwn', text: `${FENCE}${chunk}${FENCE}` } })),
    ],
  };
}

const FENCE = '```';
/** Room left in one message for the note above the text. */
const MAX_BODY_CHARS = LIMITS.messageChars - 1_000;

export function customerText(diagnoses: Diagnosis[], targets: string[]): string {
  const about = targets.length > 0 ? ` about ${targets.join(', ')}` : '';
  const lines = [`Hello, we looked into the Front API error you reported${about}.`];
  diagnoses.forEach((d, i) => {
    // Possible causes are told as such: the first as the likeliest, the others as what it may be instead.
    const lead =
      d.status === 'confirmed' ? 'What is happening' : i === 0 ? 'What is most likely happening' : 'Or it may be';
    lines.push('', `${diagnoses.length > 1 ? `${i + 1}. ` : ''}${lead}: ${oneLine(d.headline)}`);
    const who = concernedLine(d.owner);
    if (who) lines.push(who);
    const steps = d.steps.admin.length > 0 ? d.steps.admin : d.steps.teammate;
    if (steps.length > 0) {
      lines.push('What to change:');
      steps.forEach((step, n) => lines.push(`  ${n + 1}. ${oneLine(step)}`));
    }
    if (d.steps.admin.length > 0 && d.steps.teammate.length > 0) {
      lines.push('Or each teammate concerned can do it themselves:');
      d.steps.teammate.forEach((step) => lines.push(`  - ${oneLine(step)}`));
    }
    const docs = d.links.filter((l) => l.url.startsWith('https://'));
    if (docs.length > 0) lines.push(`More: ${docs.map((l) => `${oneLine(l.title)} (${l.url})`).join('; ')}`);
  });
  lines.push('', 'Once that is done, the same request should work; tell us if it does not.');
  return lines.join('\n');
}

/** The teammates the change is for, in the customer's terms (how the checks found them is for the agent). */
export function concernedLine(owner: OwnerFinding | undefined): string | undefined {
  if (!owner) return undefined;
  if (owner.how !== 'candidates') return owner.name ? `Teammate concerned: ${oneLine(owner.name)}` : undefined;
  const names = (owner.candidates ?? []).map(oneLine);
  if (names.length === 0) return undefined;
  if (names.length === 1) return `Teammate concerned: ${names[0]}`;
  return `Teammates concerned (the owner is one of them; make the change for each): ${names.join(', ')}`;
}
