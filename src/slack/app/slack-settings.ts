import { ConfigError, type SlackSecrets } from '../../config';

/** HTTP mode or Socket Mode, once the Slack settings are complete and each token is of its kind. */
export function checkSlackConfig(config: SlackSecrets): 'http' | 'socket' {
  const problems = slackConfigProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config.SLACK_APP_TOKEN ? 'socket' : 'http';
}

const BOT_TOKEN_SOURCE = 'the "Bot User OAuth Token" (xoxb-…) from your Slack app\'s OAuth & Permissions page';
const APP_TOKEN_SOURCE =
  "an app-level token (xapp-…) with the connections:write scope, from your Slack app's Basic Information page → App-Level Tokens";

/** What is missing or mistaken among the Slack settings; a token's value is never shown, only how it starts. */
export function slackConfigProblems(config: SlackSecrets): string[] {
  const problems: string[] = [];
  const bot = config.SLACK_BOT_TOKEN;
  const app = config.SLACK_APP_TOKEN;
  if (!bot) problems.push(`SLACK_BOT_TOKEN is not set: copy ${BOT_TOKEN_SOURCE}`);
  else if (!bot.startsWith('xoxb-')) {
    const kind = bot.startsWith('xapp-')
      ? ' It holds an app-level token (xapp-…), which belongs in SLACK_APP_TOKEN.'
      : bot.startsWith('xoxp-')
        ? ' It holds a user token (xoxp-…); front-why acts as its bot.'
        : '';
    problems.push(
      `SLACK_BOT_TOKEN does not start with xoxb-, so it is not a bot token.${kind} Copy ${BOT_TOKEN_SOURCE}`,
    );
  }
  if (app && !app.startsWith('xapp-')) {
    const kind = app.startsWith('xoxb-') ? ' It holds the bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN.' : '';
    problems.push(
      `SLACK_APP_TOKEN does not start with xapp-, so it is not an app-level token.${kind} For Socket Mode, set ${APP_TOKEN_SOURCE}; for HTTP mode, leave it unset`,
    );
  }
  if (!app && !config.SLACK_SIGNING_SECRET) {
    problems.push(
      'SLACK_SIGNING_SECRET is not set: copy the "Signing Secret" from your Slack app\'s Basic Information page (or set SLACK_APP_TOKEN to use Socket Mode)',
    );
  }
  return problems;
}
