import { afterPendingAcks } from '../../src/slack/app/after-acks';

/** The order of events, not their timing: work after an ack starts one piece per turn of the event loop. */

test('work waiting after acks starts in arrival order, one piece per turn of the event loop', async () => {
  const order: string[] = [];
  const first = afterPendingAcks().then(() => order.push('first'));
  const second = afterPendingAcks().then(() => order.push('second'));
  // Queued after the first start but before the second: it runs in between, as a request read meanwhile would.
  setImmediate(() => order.push('other'));
  await Promise.all([first, second]);
  expect(order).toEqual(['first', 'other', 'second']);
});

test('starts again after the queue emptied', async () => {
  await afterPendingAcks();
  await expect(afterPendingAcks()).resolves.toBeUndefined();
});
