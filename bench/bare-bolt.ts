import { App } from '@slack/bolt';

/**
 * The smallest Slack app Bolt makes (HTTP mode, one slash-command listener), for the benchmark's start-up
 * comparison: `serve` is measured against what Bolt alone costs to start. Same environment as `serve` (the Slack
 * stand-in's URL, a bot token, a signing secret); logs one JSON line with its port once it listens.
 */
async function main(): Promise<void> {
  const app = new App({
    token: process.env.SLACK_BOT_TOKEN,
    signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
    clientOptions: process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {},
  });
  app.command('/front-why', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as { address(): { port: number } | string | null };
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : undefined;
  process.stderr.write(`${JSON.stringify({ msg: 'ready', port })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
