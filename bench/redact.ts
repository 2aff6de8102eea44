import { redactCounting, type RedactOptions } from '../src/redact';

/**
 * The secret redactor on hostile text: time and characters read per input character, at growing sizes. Linear
 * means the per-character figures stay flat as the text grows.
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/redact.js
 */
const TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJmcm9udCIsInN1YiI6ImFjbWUifQ.c2lnbmF0dXJlLXNlY3JldC1wYXJ0LTEyMzQ1Njc4OQ';
const PIECES = [
  '-eyJ',
  'eyJ.eyJ.',
  'eyJaaaaaaaaaa.',
  'Bearer ',
  'token=',
  'xoxb-',
  TOKEN.slice(0, 40),
  'plain words, nothing secret. ',
];
const MODES: [string, RedactOptions][] = [
  ['shapes (logs, activity lines)', {}],
  ['shapes + pairs (pastes)', { pairs: true }],
  ['shapes + known token (CLI output)', { known: [TOKEN] }],
];

function measure(text: string, options: RedactOptions): { msPerMiB: number; readsPerChar: number } {
  redactCounting(text, options); // warm-up
  const runs = 5;
  const start = process.hrtime.bigint();
  let visited = 0;
  for (let i = 0; i < runs; i += 1) visited = redactCounting(text, options).visited;
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  return { msPerMiB: ms / (text.length / (1024 * 1024)), readsPerChar: visited / text.length };
}

for (const [mode, options] of MODES) {
  process.stdout.write(`${mode}\n`);
  for (const piece of PIECES) {
    const row = [16, 64, 256].map((kib) => {
      const text = piece.repeat(Math.ceil((kib * 1024) / piece.length));
      const { msPerMiB, readsPerChar } = measure(text, options);
      return `${String(kib).padStart(3)} KiB: ${msPerMiB.toFixed(1).padStart(6)} ms/MiB, ${readsPerChar.toFixed(2)} reads/char`;
    });
    process.stdout.write(
      `  ${JSON.stringify(piece.length > 20 ? `${piece.slice(0, 17)}…` : piece).padEnd(20)} ${row.join(' | ')}\n`,
    );
  }
}
