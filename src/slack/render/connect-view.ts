import type { types } from '@slack/bolt';
import { escapeText } from './escape';

export const CONNECT_CALLBACK_ID = 'front_why_connect';
export const TOKEN_BLOCK_ID = 'front_token';
export const TOKEN_ACTION_ID = 'token';

/** Set by us when the modal opens and returned untouched by Slack in the signed submission. */
export interface ConnectMetadata {
  tenant: string;
  teamId: string;
  channelId: string;
}

export function connectModal(meta: ConnectMetadata, replacing: boolean): types.ModalView {
  const what = replacing
    ? `Replace the Front API token of tenant *${escapeText(meta.tenant)}*.`
    : `Add tenant *${escapeText(meta.tenant)}* with its Front API token.`;
  return {
    type: 'modal',
    callback_id: CONNECT_CALLBACK_ID,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Connect a Front tenant' },
    submit: { type: 'plain_text', text: 'Check and save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: what } },
      {
        type: 'input',
        block_id: TOKEN_BLOCK_ID,
        label: { type: 'plain_text', text: 'Front API token' },
        hint: {
          type: 'plain_text',
          text: 'Front: Settings → Developers → API Tokens. It is checked with Front (GET /me), stored encrypted, and never shown again.',
        },
        element: {
          type: 'plain_text_input',
          action_id: TOKEN_ACTION_ID,
          multiline: false,
          placeholder: { type: 'plain_text', text: 'eyJ…' },
        },
      },
    ],
  };
}

/** Shown while the token is checked, so the modal answers at once (Slack wants the submission acked within 3 s). */
export function connectCheckingView(tenant: string): types.ModalView {
  return resultView(`:hourglass_flowing_sand: Checking the token of *${escapeText(tenant)}* with Front…`);
}

export function connectResultView(mrkdwn: string): types.ModalView {
  return resultView(mrkdwn);
}

function resultView(mrkdwn: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: `${CONNECT_CALLBACK_ID}_result`,
    title: { type: 'plain_text', text: 'Connect a Front tenant' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }],
  };
}

export function parseConnectMetadata(raw: string | undefined): ConnectMetadata | undefined {
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return undefined;
    const { tenant, teamId, channelId } = value as Record<string, unknown>;
    if (typeof tenant !== 'string' || typeof teamId !== 'string' || typeof channelId !== 'string') return undefined;
    return { tenant, teamId, channelId };
  } catch {
    return undefined;
  }
}
