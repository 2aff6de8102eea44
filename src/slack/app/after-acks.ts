/**
 * Slack wants every request acknowledged within 3 seconds, and a burst of commands arrives together. Work that
 * follows an ack waits here: one piece starts per turn of the event loop, so requests already received (whose
 * acks are quick) are read and acknowledged in between, instead of queuing behind all the checks at once.
 */
const waiting: (() => void)[] = [];
let scheduled = false;

export function afterPendingAcks(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(startNext);
    }
  });
}

function startNext(): void {
  waiting.shift()?.();
  // Scheduled from within the check phase, the next one runs on the next turn, after the poll phase has read
  // whatever requests arrived meanwhile.
  if (waiting.length > 0) setImmediate(startNext);
  else scheduled = false;
}
