import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface OperatorCause {
  /** The rule's id, and so its cause (`acme-proxy-blocked`: `acme_proxy_blocked`). */
  id: string;
  /** Words the pasted Front error's message holds, which no built-in rule knows. */
  wording: string;
  customerCanFix: boolean;
  headline: string;
  /** What a watch tells the thread once fixed (for a cause the customer can fix). */
  fixed?: string;
}

/**
 * Writes a new cause into an operator's rules folder, as docs/writing-rules.md walks it: the rule (confirmed when
 * the paste's message holds the wording and the live read of the conversation is refused, in place of the
 * preference the refusal would otherwise point at) and its test.
 */
export function writeOperatorCause(dir: string, cause: OperatorCause): void {
  const declares = cause.customerCanFix
    ? `customer_can_fix: true\nwatch:\n  fixed: '${cause.fixed ?? 'it is fixed'}'`
    : 'customer_can_fix: false';
  writeFileSync(
    path.join(dir, `${cause.id}.yml`),
    [
      `id: ${cause.id}`,
      declares,
      'priority: 99',
      'confidence: high',
      // The sandbox's conversation is refused for the owner's preference too: the proxy's wording takes its place.
      'supersedes: [teammate-api-access-disabled]',
      'when:',
      '  all:',
      `    - { fact: error.message, matches: '(?i)${cause.wording}' }`,
      '    - { fact: conversation.status, equals: 403 }',
      `headline: '${cause.headline}'`,
      'why: The customer said so.',
      'steps:',
      '  agent:',
      "    - 'Ask the customer which of their settings changed.'",
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, `${cause.id}.test.yml`),
    [
      `- paste: 'GET /conversations/cnv_yo1kg5q 403 {"_error":{"status":403,"message":"${cause.wording} for cnv_yo1kg5q"}}'`,
      '  facts: { conversation.status: 403, conversation.reachable: true }',
      '- pasted: conversation-403',
      '  expect: none',
      '',
    ].join('\n'),
  );
}
