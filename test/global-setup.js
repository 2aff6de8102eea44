// CLI and process tests spawn the built CLI, so dist/ is rebuilt from src/ before any test runs. A build that
// fails stops the run: tests against a stale dist/ would report on code that is no longer there.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '..');
  const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(
      `the build failed, so no test ran (fix it, then run the tests again):\n${result.stdout}${result.stderr}`,
    );
  }
};
