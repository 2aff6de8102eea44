import { loadConfig, ruleCacheDir } from '../config';
import { diagnose } from '../diagnosis';
import { liveAs } from '../diagnosis/live';
import { loadRulesOrThrow } from '../rules';
import { changeText, delayAfter, nothingToWatch, overruledNote, ownerOf, verdictOf, whoChanged } from '../watch';
import { textFrom } from './explain';
import { usageOf } from './help';
import { parseCommandArgs, UsageError, type CliIo } from './io';
import { openConnection } from './live-token';
import { recordCliUnknowns } from './unknown-wordings';
import { checkingWhat, requestCount, startProgress } from './progress';

export const WATCH_USAGE = usageOf('watch');

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Time and waiting, passed in so a test moves the clock instead of waiting. */
export interface WatchClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: WatchClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? ''] ?? 0) : 0;
  if (!match || ms <= 0) {
    throw new UsageError(`--timeout takes a duration such as 90s, 10m, 2h or 1d (got "${text}")\n${WATCH_USAGE}`);
  }
  return ms;
}

function seconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.ceil(ms / 1000)} s`;
}

/**
 * `front-why watch`: re-checks a target with the same backoff as a Slack watch (FRONT_WHY_WATCH_INTERVAL_MS, doubling,
 * at most 30 minutes) and exits 0 as soon as it reads fine, 1 when the timeout comes first, so a runbook can wait on it.
 * Progress goes to stderr; the one line saying it reads fine goes to stdout.
 */
export async function watchCommand(argv: string[], io: CliIo, clock: WatchClock = realClock): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, WATCH_USAGE, {
    tenant: { type: 'string' },
    timeout: { type: 'string' },
  });
  if (positionals.length === 0)
    throw new UsageError(`what to watch is missing: a cnv_ ID, a Front app link or a paste\n${WATCH_USAGE}`);
  const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(values.timeout);
  const config = loadConfig(io.env);
  const rules = loadRulesOrThrow(config.FRONT_WHY_RULES_DIR, { cacheDir: ruleCacheDir(io.env) });
  const text = await textFrom(positionals, io);
  // Read offline first: an input with nothing to check (a typo such as `msg_`) would be re-checked until the timeout.
  const nothing = nothingToWatch(await diagnose(text, { rules }));
  if (nothing) throw new UsageError(nothing);
  const requests = requestCount();
  const { connection, label, tenant } = await openConnection(config, io.env, { tenant: values.tenant }, io.secrets, {
    onFrontAttempt: requests.onFrontAttempt,
  });
  const checking = `checking ${checkingWhat(text)} with ${label}`;
  const started = clock.now();
  const deadline = started + timeoutMs;
  let owner: string | null = null;
  let cause: string | undefined;
  try {
    for (let attempts = 0; ; attempts += 1) {
      const progress = startProgress(io.stderr);
      progress.show(() => `${checking}: ${requests.text()}…`);
      const outcome = await diagnose(text, { rules, live: liveAs(connection, 'watch') }).finally(progress.end);
      const overruled = attempts === 0 && outcome.ok ? overruledNote(outcome.diagnoses[0]) : undefined;
      if (overruled) throw new UsageError(overruled);
      const verdict = verdictOf(outcome, rules);
      const target = outcome.ok && outcome.targets.length > 0 ? outcome.targets.join(', ') : 'the target';
      const at = `[+${seconds(clock.now() - started)}]`;
      if (verdict.kind === 'fine') {
        // Several teammates could have been the owner: name only those who turned the preference on.
        let who: Awaited<ReturnType<typeof whoChanged>> | undefined;
        if (cause) {
          const naming = startProgress(io.stderr);
          naming.show(() => `${target} reads fine; asking Front who changed it: ${requests.text()}…`);
          who = await whoChanged({ cause, owner }, liveAs(connection, 'watch'), Date.now, rules).finally(naming.end);
        }
        const change = cause ? `${changeText(rules, cause, who ? who.owner : owner)}; ` : '';
        io.stdout.write(`${change}${target} reads fine with ${label}.\n`);
        return 0;
      }
      if (verdict.kind === 'broken') {
        // Counted as `diagnose` counts them, once each time the cause turns to unknown.
        if (verdict.cause !== cause && verdict.unexplained)
          await recordCliUnknowns(config, io, outcome, tenant ?? 'default');
        if (cause === undefined) {
          cause = verdict.cause;
          owner = outcome.ok ? (ownerOf(outcome.diagnoses.find((d) => d.cause === verdict.cause)) ?? null) : null;
        } else if (verdict.cause !== cause) {
          io.stderr.write(`${at} the cause changed: now ${verdict.cause} (was ${cause})\n`);
          cause = verdict.cause;
        }
      }
      const left = deadline - clock.now();
      const found = verdict.kind === 'broken' ? `${verdict.cause}: ${verdict.summary}` : verdict.summary;
      if (left <= 0) {
        io.stderr.write(`${at} still failing (${found}); gave up after ${seconds(timeoutMs)}.\n`);
        return 1;
      }
      const wait = Math.min(delayAfter(attempts, config.FRONT_WHY_WATCH_INTERVAL_MS), left);
      io.stderr.write(`${at} ${target} still fails (${found}); next check in ${seconds(wait)}\n`);
      await clock.sleep(wait);
    }
  } finally {
    await connection.close();
  }
}
