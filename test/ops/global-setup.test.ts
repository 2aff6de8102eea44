import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The suite's build step, run on a tiny project of its own, so a broken build can be shown to stop the run. */
const ROOT = path.resolve(__dirname, '../..');

function projectWith(source: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-setup-'));
  mkdirSync(path.join(dir, 'test'));
  mkdirSync(path.join(dir, 'src'));
  copyFileSync(path.join(ROOT, 'test/global-setup.js'), path.join(dir, 'test/global-setup.js'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(
    path.join(dir, 'tsconfig.build.json'),
    JSON.stringify({ compilerOptions: { strict: true, outDir: 'dist', rootDir: 'src', types: [] }, include: ['src'] }),
  );
  writeFileSync(path.join(dir, 'src/index.ts'), source);
  return dir;
}

async function runSetup(dir: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const setup = require(path.join(dir, 'test/global-setup.js')) as () => Promise<void>;
  await setup();
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a build with type errors stops the test run and says where', async () => {
  const dir = projectWith('export const n: number = "not a number";\n');
  dirs.push(dir);
  await expect(runSetup(dir)).rejects.toThrow(/the build failed, so no test ran[\s\S]*src\/index\.ts.*TS2322/);
});

test('a clean build lets the run go on', async () => {
  const dir = projectWith('export const n: number = 1;\n');
  dirs.push(dir);
  await expect(runSetup(dir)).resolves.toBeUndefined();
});
