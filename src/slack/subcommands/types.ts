import type { RespondFn, webApi } from '@slack/bolt';
import type { Requester, SlackDeps } from '../context';

/** One `/front-why …` invocation, already acknowledged. */
export interface CommandContext {
  deps: SlackDeps;
  client: webApi.WebClient;
  respond: RespondFn;
  who: Requester;
  /** From another organisation (Slack Connect). */
  external: boolean;
  triggerId: string;
  /** Words after the subcommand. */
  args: string[];
  /** Everything typed after `/front-why`. */
  text: string;
}

export type Subcommand = (ctx: CommandContext) => Promise<void>;
