/**
 * Turns a stream of progress callbacks into at most one Slack update per interval (chat.update is rate limited
 * to about one call a second per channel), always finishing with the latest state.
 */
export class ProgressUpdater<T> {
  private latest: T | undefined;
  private lastSentAt = 0;
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly send: (state: T) => Promise<void>,
    private readonly clock: () => number,
    private readonly minIntervalMs = 1_000,
  ) {}

  push(state: T): void {
    if (this.finished) return;
    this.latest = state;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.minIntervalMs - this.clock());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
    this.timer.unref();
  }

  /** Stops further updates and sends `final` once the update in flight (if any) is done. */
  async finish(final: () => Promise<void>): Promise<void> {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await final();
  }

  private flush(): void {
    const state = this.latest;
    if (state === undefined || this.finished) return;
    this.latest = undefined;
    this.lastSentAt = this.clock();
    // Updates are chained so they land in order; a failed one only loses that intermediate state.
    this.running = this.running.then(() => this.send(state)).catch(() => undefined);
  }
}
