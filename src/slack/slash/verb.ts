import type { RespondFn, webApi } from '@slack/bolt';
import type { Requester, SlackDeps } from '../app/deps';

/** One `/front-why …` invocation, already acknowledged. */
export interface VerbContext {
  deps: SlackDeps;
  client: webApi.WebClient;
  respond: RespondFn;
  who: Requester;
  /** From another organisation (Slack Connect). */
  external: boolean;
  triggerId: string;
  /** Words after the verb. */
  args: string[];
  /** Everything typed after `/front-why`. */
  text: string;
}

export type SlashVerb = (ctx: VerbContext) => Promise<void>;
