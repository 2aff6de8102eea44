import type { types } from '@slack/bolt';
import { escapeText, truncate } from './escape';

export type Block = types.KnownBlock;

/** Slack's published limits; splitting happens here so that a long diagnosis is several replies, never an error. */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionChars: 3000,
  /** Slack documents no hard total for blocks text, but messages much past this are refused or cut. */
  messageChars: 12_000,
  fallbackChars: 3000,
  buttonValueChars: 2000,
} as const;

/** What every post of the bot carries: `text` is the notification and screen-reader fallback. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** `text` must already be escaped (or be our own wording); it is split to stay within one section's limit. */
export function sections(text: string): Block[] {
  return splitMrkdwn(text, LIMITS.sectionChars).map((chunk) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: chunk },
  }));
}

export function contexts(text: string): Block[] {
  return splitMrkdwn(text, LIMITS.sectionChars).map((chunk) => ({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: chunk }],
  }));
}

export function divider(): Block {
  return { type: 'divider' };
}

export interface ButtonSpec {
  actionId: string;
  label: string;
  value: string;
  style?: 'primary' | 'danger';
}

export function actions(buttons: ButtonSpec[]): Block {
  return {
    type: 'actions',
    elements: buttons.map((b) => ({
      type: 'button',
      action_id: b.actionId,
      text: { type: 'plain_text', text: truncate(b.label, 75), emoji: false },
      value: wholeWords(b.value, LIMITS.buttonValueChars),
      ...(b.style ? { style: b.style } : {}),
    })),
  };
}

/** At most `max` characters, cut after a whole word: a value of IDs never ends in half an ID. */
function wholeWords(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.lastIndexOf(' ', max);
  return cut > 0 ? value.slice(0, cut) : '';
}

/** A message made of our own wording with escaped values already interpolated. */
export function simpleMessage(mrkdwn: string, fallback?: string): SlackMessage {
  return { text: fallbackText(fallback ?? mrkdwn), blocks: sections(mrkdwn) };
}

/** Fallback text is shown raw in notifications, so it is escaped like everything else and kept short. */
export function fallbackText(escaped: string): string {
  return safeCut(escaped.replace(/\s+/g, ' ').trim(), LIMITS.fallbackChars);
}

export function escapedFallback(raw: string): string {
  return fallbackText(escapeText(truncate(raw.replace(/\s+/g, ' ').trim(), LIMITS.fallbackChars - 200)));
}

/**
 * Splits escaped mrkdwn into pieces of at most `max` characters, at line breaks where possible. A single line
 * longer than that is cut where no entity (`&amp;`) or link (`<…>`) would be broken in two.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const pieces = line.length > max ? hardSplit(line, max) : [line];
    for (const piece of pieces) {
      const candidate = current === '' ? piece : `${current}\n${piece}`;
      if (candidate.length <= max) {
        current = candidate;
      } else {
        if (current !== '') chunks.push(current);
        current = piece;
      }
    }
  }
  if (current.trim() !== '') chunks.push(current);
  return chunks.length > 0 ? chunks : [' '];
}

function hardSplit(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const cut = safeCutIndex(rest, max);
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest !== '') out.push(rest);
  return out;
}

/** The last index ≤ max that does not fall inside `&…;` or `<…>`. */
function safeCutIndex(text: string, max: number): number {
  const window = text.slice(0, max);
  const amp = window.lastIndexOf('&');
  if (amp > 0 && !window.slice(amp).includes(';')) return amp;
  const open = window.lastIndexOf('<');
  if (open !== -1 && !window.slice(open).includes('>') && open > 0) return open;
  return max;
}

/** Shortens already-escaped text to at most `max` characters, marking the cut, without breaking an entity or link. */
export function safeCut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCutIndex(text, max - 1))}…`;
}

export function blockChars(block: Block): number {
  return JSON.stringify(block).length;
}

/** Room kept for a note a caller puts on top of the first message (the invite hint). */
const NOTE_CHARS = 600;

/**
 * Packs blocks into as many messages as Slack's limits need. `tail` (the buttons) goes on the last message,
 * so they sit under the whole answer.
 */
export function packMessages(blocks: Block[], fallback: string, tail?: Block): SlackMessage[] {
  // Two blocks kept free: the buttons, and a note a caller may put on top (the invite hint, "checked again").
  const maxBlocks = LIMITS.blocksPerMessage - 2;
  // Any group may turn out to be the first or the last one, so each leaves room for the note and for the tail
  // (two button values of up to 2,000 characters).
  const maxChars = LIMITS.messageChars - NOTE_CHARS - (tail ? blockChars(tail) : 0);
  const groups: Block[][] = [];
  let current: Block[] = [];
  let chars = 0;
  for (const block of blocks) {
    const size = blockChars(block);
    if (current.length > 0 && (current.length + 1 > maxBlocks || chars + size > maxChars)) {
      groups.push(current);
      current = [];
      chars = 0;
    }
    current.push(block);
    chars += size;
  }
  if (current.length > 0) groups.push(current);
  if (groups.length === 0) groups.push([]);
  if (tail) groups[groups.length - 1]!.push(tail);
  const total = groups.length;
  return groups.map((group, i) => ({
    text: total === 1 ? fallback : fallbackText(`${fallback} (part ${i + 1} of ${total})`),
    blocks: trimDividers(group),
  }));
}

function trimDividers(blocks: Block[]): Block[] {
  const out = [...blocks];
  while (out[0]?.type === 'divider') out.shift();
  while (out.length > 0 && out[out.length - 1]?.type === 'divider') out.pop();
  return out;
}
