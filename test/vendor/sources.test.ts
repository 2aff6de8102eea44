import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Each vendored data file is the exact copy its SOURCE.md names: the checksum written there must be the file's,
 * so an edited or half-updated copy is caught before a test trusts it.
 */
const VENDOR = path.resolve(__dirname, '../../vendor');

const folders = readdirSync(VENDOR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

test('every vendored folder has a SOURCE.md', () => {
  expect(folders.sort()).toEqual(['front-openapi', 'openapi-3.1-schema', 'slack-manifest-schema']);
  for (const folder of folders) expect(readFileSync(path.join(VENDOR, folder, 'SOURCE.md'), 'utf8')).toMatch(/commit\s+`[0-9a-f]{40}`/);
});

describe.each(folders)('vendor/%s', (folder) => {
  const dir = path.join(VENDOR, folder);
  const source = readFileSync(path.join(dir, 'SOURCE.md'), 'utf8');
  const dataFiles = readdirSync(dir).filter((name) => name.endsWith('.json'));

  test.each(dataFiles)('%s matches the checksum in SOURCE.md', (name) => {
    expect(source).toContain(`\`${name}\``);
    const digest = createHash('sha256').update(readFileSync(path.join(dir, name))).digest('hex');
    expect(source).toContain(digest);
  });
});
