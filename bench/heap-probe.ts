/**
 * Preloaded into the benchmark's `serve` process (`node --expose-gc --require …/heap-probe.js bin/front-why.js
 * serve`): on SIGUSR2 it runs a full garbage collection and writes one JSON line to stderr, so the benchmark can
 * tell memory the app still holds from garbage V8 has not collected yet. Nothing else changes in the process.
 */
process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  process.stderr.write(
    `${JSON.stringify({ msg: 'bench heap', rss: before.rss, heapUsedBefore: before.heapUsed, heapUsed: after.heapUsed, heapTotal: after.heapTotal, rssAfterGc: after.rss })}\n`,
  );
});

export {};
