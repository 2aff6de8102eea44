import { benchDiagnoses, formatDiagnosisFigures } from './diagnosis';

/** `npm run bench [-- --json] [-- --latency 40]`: prints figures; asserts nothing. */
async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const latencyArg = argv.indexOf('--latency');
  const latencyMs = latencyArg >= 0 ? Number(argv[latencyArg + 1]) : 40;
  if (!Number.isFinite(latencyMs) || latencyMs <= 0) throw new Error('--latency takes a positive number of milliseconds');

  const diagnoses = await benchDiagnoses(latencyMs);
  if (json) {
    process.stdout.write(`${JSON.stringify({ latencyMs, diagnoses }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`Diagnoses against the sandbox, ${latencyMs} ms injected per Front answer (node ${process.version}):\n\n`);
  process.stdout.write(`${formatDiagnosisFigures(diagnoses, latencyMs)}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
