// CLI tests spawn the built CLI, so dist/ is rebuilt from src/ before any test runs. Type errors are
// reported by `npm run typecheck`; here they only warn, so one broken module does not hide every test result.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '..');
  const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(`\nbuild reported errors (dist/ may be partly stale):\n${result.stdout}${result.stderr}\n`);
  }
};
