/** "Watch until fixed": re-check a target until it reads fine, for Slack threads (runner) and the CLI. */
export {
  createWatchRunner,
  type WatchNotice,
  type WatchRunner,
  type WatchRunnerDeps,
  type WatchTimers,
} from './runner';
export { delayAfter, expiryOf, nextCheckAt, MAX_WATCH_INTERVAL_MS, DAY_MS, type WatchSchedule } from './schedule';
export { WatchShare, WATCH_SHARE, ASSUMED_LIMIT_PER_MINUTE, type BudgetSnapshot, type ShareDecision } from './share';
export { verdictOf, ownerOf, changeText, nothingToWatch, overruledNote, type WatchCheck } from './verdict';
export { recheck, type RecheckDeps } from './recheck';
export { whoChanged, type WhoChanged } from './who-changed';
