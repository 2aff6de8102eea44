/**
 * What one Front request's draw from the shared rate window costs on PostgreSQL (`npm run bench:budget`): the draw
 * (one statement, on the request's path) and the release (written after the answer, off its path), alone and with
 * three stores (as three replicas) drawing on one tenant's row at once. Prints figures; asserts nothing.
 *
 * FRONT_WHY_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); a schema of its own, dropped after.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createRateBudget } from '../src/front';
import { Keyring, openStore, type Store } from '../src/store';
import { median, quantile, round } from './stats';

const URL_ = process.env.FRONT_WHY_BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const RESERVE = 5;
const LEASE_MS = 8_000;
const SEQUENTIAL = 2_000;
const CONCURRENT_MS = 3_000;
const PER_REPLICA = 8;

function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** A window that never refuses, so every draw does the full write. */
async function open(stores: Store[]): Promise<void> {
  const now = Date.now();
  await stores[0]!.drawRateWindow('acme', { now, reserve: RESERVE, leaseMs: LEASE_MS });
  await stores[0]!.settleRateWindow('acme', { now, returning: 1, remaining: 1e9, until: now + 3_600_000 });
}

async function drawAndRelease(store: Store, draws: number[], releases: number[]): Promise<void> {
  let t = performance.now();
  const grant = await store.drawRateWindow('acme', { now: Date.now(), reserve: RESERVE, leaseMs: LEASE_MS });
  draws.push(performance.now() - t);
  if (!grant.ok) throw new Error('the window refused a draw');
  t = performance.now();
  await store.settleRateWindow('acme', {
    now: Date.now(),
    returning: 1,
    remaining: 1e9,
    until: Date.now() + 3_600_000,
  });
  releases.push(performance.now() - t);
}

const ms = (v: number) => `${round(v, 2)} ms`;

async function main(): Promise<void> {
  const schema = `fw_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: URL_ });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const keyring = Keyring.parse(randomBytes(32).toString('base64'));
  const stores: Store[] = [];
  try {
    for (let i = 0; i < 3; i += 1) stores.push(await openStore(withSchema(URL_, schema), keyring));
    await open(stores);

    // Warm the pool and the plan cache first.
    for (let i = 0; i < 200; i += 1) await drawAndRelease(stores[0]!, [], []);
    const draws: number[] = [];
    const releases: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i += 1) await drawAndRelease(stores[0]!, draws, releases);

    const pingTimes: number[] = [];
    for (let i = 0; i < 500; i += 1) {
      const t = performance.now();
      await stores[0]!.ping();
      pingTimes.push(performance.now() - t);
    }

    const memory = createRateBudget({ reserve: RESERVE });
    const n = 1_000_000;
    let t = performance.now();
    for (let i = 0; i < n; i += 1) {
      const d = memory.acquire();
      if (d.ok) d.release({ remaining: 1e9, reset: Date.now() / 1000 + 3600 });
    }
    const memoryUs = ((performance.now() - t) * 1000) / n;

    // Three replicas, each with PER_REPLICA requests in flight at once, all on one tenant's row.
    const busyDraws: number[] = [];
    const busyReleases: number[] = [];
    const until = performance.now() + CONCURRENT_MS;
    t = performance.now();
    await Promise.all(
      stores.flatMap((store) =>
        Array.from({ length: PER_REPLICA }, async () => {
          while (performance.now() < until) await drawAndRelease(store, busyDraws, busyReleases);
        }),
      ),
    );
    const busySeconds = (performance.now() - t) / 1000;

    const lines = [
      `PostgreSQL at ${new URL(URL_).host}, one tenant's window; ${SEQUENTIAL} draws one after another:`,
      `  draw (on the request's path):   median ${ms(median(draws))}, p99 ${ms(quantile(draws, 0.99))}`,
      `  release (after the answer):     median ${ms(median(releases))}, p99 ${ms(quantile(releases, 0.99))}`,
      `  a bare SELECT 1 for comparison: median ${ms(median(pingTimes))}, p99 ${ms(quantile(pingTimes, 0.99))}`,
      `3 stores × ${PER_REPLICA} requests in flight each, on the same row, for ${CONCURRENT_MS / 1000} s:`,
      `  ${round(busyDraws.length / busySeconds)} draws/s with their releases; draw median ${ms(median(busyDraws))}, p99 ${ms(quantile(busyDraws, 0.99))}`,
      `The in-process budget (SQLite, one process): ${round(memoryUs, 3)} µs per acquire + release`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:budget: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
