import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRulesOrThrow } from '../../src/rules';

/** What the docs say about the health endpoints and the rule count must match what `serve` does. */

const ROOT = path.resolve(__dirname, '../..');
const DOCS = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).map((f) => path.join('docs', f))].filter((f) =>
  f.endsWith('.md'),
);
const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8').replace(/\s+/g, ' ');

test('a rule count quoted from /readyz or the ready line is the number of bundled rules serve loads', () => {
  const loaded = loadRulesOrThrow(path.join(ROOT, 'rules')).length;
  for (const file of DOCS) {
    for (const [, count] of text(file).matchAll(/"rules":\s*(\d+)/g))
      expect({ file, rules: Number(count) }).toEqual({
        file,
        rules: loaded,
      });
  }
});

test('every doc points a load balancer at /readyz, the check that fails while a replica cannot answer', () => {
  const advice = DOCS.flatMap((file) =>
    [...text(file).matchAll(/balancer(?:'s health)? check[^.]*?`(?:GET )?(\/[a-z]+)`/g)].map((m) => ({
      file,
      path: m[1],
    })),
  );
  expect(advice.length).toBeGreaterThan(0);
  for (const said of advice) expect(said).toEqual({ file: said.file, path: '/readyz' });
});

test('what Socket Mode serves on PORT is said the same way everywhere: /healthz and /readyz, not /metrics', () => {
  const said = DOCS.flatMap((file) =>
    [...text(file).matchAll(/Socket Mode[^.]*?serves only ([^.;]*)/g)].map((m) => ({
      file,
      paths: [...m[1]!.matchAll(/`(\/[a-z]+)`/g)].map((p) => p[1]).sort(),
    })),
  );
  expect(said.length).toBeGreaterThan(0);
  for (const s of said) expect(s).toEqual({ file: s.file, paths: ['/healthz', '/readyz'] });
});
