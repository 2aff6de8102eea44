import type { SlackDeps } from './deps';
import { logFailure } from '../send/failure';

/**
 * Runs a request's check past its listener's return. Bolt keeps every listener's middleware chain of an event alive
 * until the listeners return, so a listener that awaited its whole check held them all that long; in a burst they
 * outlived the young generation and filled the old one. The check is tracked for a shutdown to wait for, its time to
 * answer ends when it settles, and a failure its own handling let through is logged, as Bolt's error handler did.
 */
export function answerLater(
  deps: Pick<SlackDeps, 'inflight' | 'metrics' | 'logger'>,
  request: object,
  work: Promise<unknown>,
): void {
  const settled = work.catch((err: unknown) => {
    logFailure(deps.logger, 'slack request', err);
  });
  deps.metrics.answerAfter(request, settled);
  void deps.inflight.track(settled);
}
