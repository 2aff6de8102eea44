/**
 * What each command says about itself, for `--help` and for usage errors. Kept apart from the commands so
 * `front-why X --help` answers without loading X (and its database drivers or Bolt).
 */
export interface CommandHelp {
  /** One line for the overview `front-why --help` prints. */
  summary: string;
  usage: string;
  /** What it does, options, examples. */
  details: string;
}

export const HELP: Record<string, CommandHelp> = {
  explain: {
    summary: 'explain a pasted Front error from the text alone',
    usage: 'usage: front-why explain [TEXT] [--verbose] [--json]   (reads the paste from stdin when TEXT is absent)',
    details: `Explains a Front API error from the paste alone: no token, no request to Front. Prints the likeliest
cause, who it concerns and the steps for the support agent, the customer's teammate and the customer's admin;
other causes get one line each. Run with no TEXT in a terminal, it reads what you paste until Ctrl-D.

options:
  -v, --verbose   also why, what would decide it, the checks that decided and links, for every cause
  --json          one JSON object {"diagnoses": [...]} with every field, most likely first
  -h, --help      this help

examples:
  front-why explain '403 {"_error":{"status":403,"title":"Forbidden","message":"..."}}'
  pbpaste | front-why explain --json`,
  },
  diagnose: {
    summary: "diagnose a conversation or paste live, with the customer's token",
    usage:
      'usage: front-why diagnose <cnv_…|msg_…|tag_…|…|Front app link|pasted error> [--tenant NAME] [--verbose] [--json]   (reads stdin when no input is given)',
    details: `The paste's explanation plus live checks against Front with the customer's token: a stored tenant
(--tenant NAME) or FRONT_API_TOKEN. Tokens are never taken from the command line. Prints the cause, who it
concerns and the steps; --verbose adds the why and the live checks that decided.

options:
  --tenant NAME   use the token stored for this tenant (see \`front-why tenants add\`)
  -v, --verbose   also why, what would decide it, the checks that decided and links, for every cause
  --json          one JSON object {"diagnoses": [...]} with every field
  -h, --help      this help

examples:
  front-why diagnose --tenant acme cnv_yo1kg5q
  FRONT_API_TOKEN="$(cat token.txt)" front-why diagnose --json 'https://app.frontapp.com/open/cnv_yo1kg5q'`,
  },
  watch: {
    summary:
      "wait until a conversation, another ID or paste reads fine with the customer's token (exit 0), or time out (exit 1)",
    usage: 'usage: front-why watch <cnv_…|msg_…|tag_…|…|Front app link|pasted error> [--tenant NAME] [--timeout 10m]',
    details: `Re-checks the target live, as "Watch until fixed" does in Slack: first after FRONT_WHY_WATCH_INTERVAL_MS
(default 60000), then twice as long each time, at most every 30 minutes. Prints each check's finding on stderr and
exits 0 as soon as the target reads fine (saying what changed, when it can be seen), 1 when the timeout comes first,
2 at once when the input holds no Front error and no ID to check (nothing would ever read fine).

options:
  --tenant NAME     use the token stored for this tenant; else FRONT_API_TOKEN
  --timeout DUR     give up after DUR: 90s, 10m, 2h, 1d (default 10m)
  -h, --help        this help

examples:
  front-why watch --tenant acme cnv_yo1kg5q && echo "Bruno fixed it"
  front-why watch --tenant acme --timeout 2h 'https://app.frontapp.com/open/cnv_yo1kg5q'`,
  },
  audit: {
    summary: 'check the token and list every teammate whose API access preference is off',
    usage: 'usage: front-why audit [--tenant NAME] [--json]',
    details: `The admin's view of a token: valid or not, for which company, with which scopes; then every teammate whose
"Allow access to my individual resources via the API" is off. Exit 0 when the token is valid.

options:
  --tenant NAME   use the token stored for this tenant; else FRONT_API_TOKEN
  --json          one JSON object
  -h, --help      this help

examples:
  front-why audit --tenant acme
  front-why audit --tenant acme --json`,
  },
  unknowns: {
    summary: 'list the Front error wordings no rule explains yet, most frequent first',
    usage: 'usage: front-why unknowns [--since 7d] [--limit N] [--json]',
    details: `Every Front error that only the \`unknown\` rule answered, from Slack or from \`explain\`/\`diagnose\`, is kept
in the store (FRONT_WHY_DB) as a wording template: IDs, numbers, emails, the variable parts of URLs and anything
token-shaped are masked (<id>, <n>, <email>, <value>, [redacted token]). Lists each template with its id, how often
it was seen, its status, when it was last seen and the tenants that hit it, most frequent first. Needs no
FRONT_WHY_ENCRYPTION_KEY: these tables hold no secret. \`explain\` records only when FRONT_WHY_DB is set or the
default ./data/front-why.db exists. Where there is no database (run from another folder), it says where it looked
and exits 1, rather than answering that nothing was recorded.

options:
  --since WHEN    only wordings last seen since a date (2026-11-01) or a duration back (30m, 24h, 7d)
  --limit N       at most N wordings (default 100, at most 1000)
  --json          one JSON object {"unknowns": [...]} with every field
  -h, --help      this help

examples:
  front-why unknowns --since 7d
  front-why rules draft u3f2a9c1d0b7e --cause token-missing-permission`,
  },
  rules: {
    summary: 'lint the rule files, run their tests, list the fact paths, draft a rule, reload them in the server',
    usage: 'usage: front-why rules lint|test|facts|draft|reload',
    details: `Rule files are read from the rules/ of the package, then from each folder FRONT_WHY_RULES_DIR lists
(separated by ":", ";" on Windows), a later file replacing an earlier one of the same name. A new rule file is a
new cause. Rule sets are counted in rule files, one a cause.

subcommands:
  lint     check every rule file and test file; errors name file:line:column
  test     run every rule's tests (rules/<id>.test.yml)
  facts    list the fact paths rules can use
  draft    write a rule and its test from an unknown wording (\`front-why unknowns\`)
  reload   lint, then have every running \`front-why serve\` load the rules and report what they serve

examples:
  front-why rules lint && front-why rules test
  FRONT_WHY_RULES_DIR=./my-rules front-why rules reload`,
  },
  'rules lint': {
    summary: 'check every rule file and test file',
    usage: 'usage: front-why rules lint',
    details: `Loads every rule, named condition, fixture and test file of the built-in rules and FRONT_WHY_RULES_DIR's
folders and reports every error at once, each as file:line:column. Exit 1 on any error.

example:
  FRONT_WHY_RULES_DIR=./my-rules front-why rules lint`,
  },
  'rules test': {
    summary: "run every rule's tests",
    usage: 'usage: front-why rules test',
    details: `Runs the tests beside every rule (<id>.test.yml), names each failing one as file:line, and prints
"N passed, M failed". Exit 1 on a failure.

example:
  front-why rules test`,
  },
  'rules facts': {
    summary: 'list the fact paths rules can use',
    usage: 'usage: front-why rules facts',
    details: `Prints every fact path a rule's conditions can name, with what it holds.

example:
  front-why rules facts | grep teammate`,
  },
  'rules draft': {
    summary: 'draft a rule and its test from an unknown wording',
    usage: 'usage: front-why rules draft ID [--cause CAUSE] [--out DIR]',
    details: `Writes <cause>.yml and <cause>.test.yml from the wording ID that \`front-why unknowns\` lists: a condition
matching the wording (its masked parts as wildcards) and its status, TODO texts to write, and a test that replays the
wording with sample values. Both pass \`rules lint\` and \`rules test\` as drafted. The rule's id names its cause:
--cause picks it, a cause the rules have or a new one (default: the cause the status usually means: 400/422
invalid-request-body, 401 token-invalid, 403 token-missing-permission, 404 resource-not-found, 429 rate-limited, 5xx
front-unavailable). Without --out the files go to drafts/ID/ in the last rules folder (FRONT_WHY_RULES_DIR's, or
the package's rules/), which the rules folder itself does not load, so the rules in force stay as they are until
the author moves the rule in. Never overwrites a file.

options:
  --cause CAUSE   the cause the rule names (e.g. token-missing-permission, or a new one)
  --out DIR       write the two files into DIR instead
  -h, --help      this help

examples:
  front-why rules draft u3f2a9c1d0b7e --cause feature-not-enabled
  FRONT_WHY_RULES_DIR=rules/drafts/u3f2a9c1d0b7e front-why rules test`,
  },
  'rules reload': {
    summary: 'have every running server load the rules',
    usage: 'usage: front-why rules reload',
    details: `Lints the rules, then has every \`front-why serve\` load them and prints how many replicas now serve how many
rules. With a postgres:// FRONT_WHY_DB the request goes through the store, so it reaches the replicas on every
host (FRONT_WHY_ENCRYPTION_KEY is needed to open it); with SQLite it sends SIGHUP to the server named in
FRONT_WHY_PID_FILE. A broken file changes nothing: each server keeps the rules it has. Exits 1 unless every
replica reloaded.

examples:
  FRONT_WHY_PID_FILE=/var/run/front-why.pid front-why rules reload
  FRONT_WHY_DB=postgres://front-why@db/front-why FRONT_WHY_ENCRYPTION_KEY=… front-why rules reload`,
  },
  keys: {
    summary: 'create, list, revoke API keys for POST /v1/diagnose (your integration asks front-why directly)',
    usage: [
      'usage: front-why keys create NAME [--tenant T]... [--notify CHANNEL] [--per-minute N]',
      '       front-why keys list [--json]',
      '       front-why keys revoke NAME',
    ].join('\n'),
    details: `An API key lets the vendor's own systems send a failing call to front-why (POST /v1/diagnose on PORT, see the
README, "Send failures from your integration"). \`create\` prints the key alone on stdout, so a script can capture
it, and everything else on stderr; it is shown once and kept only as its SHA-256. A key may ask only about the tenants
given with --tenant (every tenant when none is given), at most --per-minute calls a minute (default 60). With
--notify CHANNEL (a Slack channel ID the bot is in) each new problem opens one thread there a day, and its later
failures update that thread's count. \`revoke\` takes effect at the next call, on every replica.

options:
  --tenant T        a tenant the key may ask about (repeat for several)
  --notify CHANNEL  post grouped alerts to this Slack channel ID (C…)
  --per-minute N    calls a minute the key may make (default 60, at most 10000)
  --json            (list) one JSON object {"keys": [...]}
  -h, --help        this help

examples:
  KEY="$(front-why keys create billing-sync --tenant acme --notify C0123ALERTS)"
  front-why keys list
  front-why keys revoke billing-sync`,
  },
  tenants: {
    summary: 'add, list, check, remove tenants (encrypted Front tokens); rotate the encryption key',
    usage: [
      'usage: front-why tenants add NAME [--force]   (reads the token from stdin; never pass it as an argument)',
      '       front-why tenants list [--json]',
      '       front-why tenants check NAME',
      '       front-why tenants remove NAME',
      '       front-why tenants rotate-key            (re-encrypts every token under the first key of FRONT_WHY_ENCRYPTION_KEY)',
    ].join('\n'),
    details: `Tenants are the customers whose Front tokens front-why holds, encrypted with FRONT_WHY_ENCRYPTION_KEY in
FRONT_WHY_DB. Run \`front-why tenants <subcommand> --help\` for one subcommand.

examples:
  front-why tenants add acme < token.txt
  front-why tenants list --json`,
  },
  'tenants add': {
    summary: "store a customer's token",
    usage: 'usage: front-why tenants add NAME [--force]   (reads the token from stdin; never pass it as an argument)',
    details: `Reads the token from stdin (on a terminal: prompts without echo), checks it with GET /me and stores it
encrypted. A token Front refuses is not stored unless --force is given. Replaces the token of an existing tenant.

options:
  --force      store the token even if the check fails
  -h, --help   this help

examples:
  front-why tenants add acme < token.txt
  pbpaste | front-why tenants add acme`,
  },
  'tenants list': {
    summary: 'list tenants with masked tokens',
    usage: 'usage: front-why tenants list [--json]',
    details: `One line per tenant: company, masked token, scopes, when it was last checked.

example:
  front-why tenants list --json`,
  },
  'tenants check': {
    summary: "check a tenant's token again",
    usage: 'usage: front-why tenants check NAME',
    details: `Checks the stored token with GET /me and records what Front said. Exit 1 when the token is not valid.

example:
  front-why tenants check acme`,
  },
  'tenants remove': {
    summary: 'remove a tenant and its channel bindings',
    usage: 'usage: front-why tenants remove NAME',
    details: `example:
  front-why tenants remove acme`,
  },
  'tenants rotate-key': {
    summary: 'rotate the encryption key',
    usage:
      'usage: front-why tenants rotate-key            (re-encrypts every token under the first key of FRONT_WHY_ENCRYPTION_KEY)',
    details: `Put the new key first in FRONT_WHY_ENCRYPTION_KEY (kid:key,kid:key), run this, then drop the old key.

example:
  FRONT_WHY_ENCRYPTION_KEY="k2:$(openssl rand -base64 32),k1:$OLD_KEY" front-why tenants rotate-key`,
  },
  activity: {
    summary: 'print the activity log: who ran which diagnosis or changed which tenant',
    usage: 'usage: front-why activity [--tenant NAME] [--since 2026-11-01|24h|7d] [--limit N] [--json]',
    details: `Reads the store at FRONT_WHY_DB (default ./data/front-why.db, relative to the current folder); needs no
FRONT_WHY_ENCRYPTION_KEY: the log holds no token.

options:
  --tenant NAME   only this tenant
  --since WHEN    a date, or a duration back from now (30m, 24h, 7d)
  --limit N       at most N entries (1–1000, default 100)
  --json          one JSON object {"entries": [...]}
  -h, --help      this help

Formerly \`front-why audit-log\`, which still works (and says so on stderr).

examples:
  front-why activity --tenant acme --since 7d
  front-why activity --json --limit 1000`,
  },
  stats: {
    summary: 'diagnoses per cause, tenant and week, how long watched cases took to be fixed, and customer questions',
    usage: 'usage: front-why stats [--tenant NAME] [--since 30d|4w|2026-11-01] [--json]',
    details: `Counts from the activity log alone (nothing new is collected): diagnoses per cause, per tenant and per week
(weeks start on Monday, UTC), and for watched cases the time from the answer to the fixed notice (median and
p90, nearest rank). The answer is the diagnosis of the same tenant and target before the watch started, or
the start itself. Per tenant, the customer questions customer mode answered in Slack (one per thread), how many a
watch found fixed before anyone of the vendor posted in the thread, and the median time from question to fixed.
Like \`activity\`, reads FRONT_WHY_DB and needs no FRONT_WHY_ENCRYPTION_KEY.

options:
  --tenant NAME   only this tenant
  --since WHEN    a duration back from now (90m, 24h, 30d, 4w) or a date; default 30d
  --json          one JSON object
  -h, --help      this help

examples:
  front-why stats
  front-why stats --tenant acme --since 4w --json`,
  },
  serve: {
    summary: 'run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)',
    usage: 'usage: front-why serve   (configuration from the environment: see docs/slack.md)',
    details: `Runs the Slack app until SIGTERM or Ctrl-C (a graceful stop); SIGHUP reloads the rules on every replica.
GET /healthz answers liveness, GET /readyz readiness (503 while the store or the rules are not usable), on PORT.
GET /metrics (Prometheus) answers on FRONT_WHY_METRICS_PORT (default 9464), on 127.0.0.1 unless
FRONT_WHY_METRICS_HOST says otherwise (then with FRONT_WHY_METRICS_TOKEN): see docs/operations.md.

example:
  SLACK_BOT_TOKEN=… SLACK_SIGNING_SECRET=… FRONT_WHY_ENCRYPTION_KEY=… front-why serve`,
  },
  sandbox: {
    summary: 'run the local Front-compatible sandbox and print its demo tokens',
    usage: 'usage: front-why sandbox [--port <n>] [--host <address>] [--latency <ms>]',
    details: `Runs a local Front-compatible API with seeded companies and demo tokens (fakes that work only against it),
until Ctrl-C.

options:
  --port <n>         port to listen on (default 4010; 0 picks a free one)
  --host <address>   address to bind (default 127.0.0.1)
  --latency <ms>     delay added to every answer
  -h, --help         this help

examples:
  front-why sandbox --port 4010
  FRONT_API_BASE_URL=http://127.0.0.1:4010 FRONT_API_TOKEN=<a demo token> front-why diagnose cnv_yo1kg5q
  front-why sandbox set-access bruno.keller@acme.example on   (in another terminal, while it runs)`,
  },
  'sandbox set-access': {
    summary: "turn a sandbox teammate's API access preference on or off while the sandbox runs",
    usage: 'usage: front-why sandbox set-access <teammate ID or email> on|off [--url http://127.0.0.1:4010]',
    details: `Flips "Allow access to my individual resources via the API" for one teammate of a running sandbox, as the
teammate would in Front, so a watch (\`front-why watch\`, or "Watch until fixed" in Slack) sees the fix. Talks to the
sandbox's control route (POST /_sandbox/teammates/{id or email}/api-access), which answers only from this machine,
addressed as 127.0.0.1, localhost or [::1].

options:
  --url URL    the running sandbox (default: FRONT_API_BASE_URL when it is on this machine, else http://127.0.0.1:4010)
  -h, --help   this help

examples:
  front-why sandbox set-access bruno.keller@acme.example on
  front-why sandbox set-access tea_6r55b off --url http://127.0.0.1:4011`,
  },
  demo: {
    summary: 'start the sandbox and diagnose its scenarios as the bot would reply',
    usage: 'usage: front-why demo [--verbose] [--slack] [--json] [--only NAME]',
    details: `options:
  --only NAME     one scenario
  -v, --verbose   each answer in full (why, the checks that decided, links)
  --slack         each answer as the first reply in Slack reads (the README's example is this, for original_report)
  --json          one JSON object {"scenarios": [...]}
  -h, --help      this help

examples:
  front-why demo
  front-why demo --only original_report
  front-why demo --only original_report --slack`,
  },
};

/** The help topic for a command line: `tenants add` when that has its own entry, else the command. */
export function helpTopic(name: string, rest: readonly string[]): string {
  const sub = rest[0];
  return sub !== undefined && HELP[`${name} ${sub}`] ? `${name} ${sub}` : name;
}

export function helpText(topic: string): string {
  const help = HELP[topic];
  return help ? `${help.usage}\n\n${help.details}\n` : '';
}

/** True when --help or -h comes before a `--` that ends the options. */
export function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

export function usageOf(topic: string): string {
  return HELP[topic]?.usage ?? '';
}
