// A second (and third) process writing to the same database as the test. It runs the built store from dist/,
// which test/global-setup.js compiles before any test starts. The keyring comes from the environment, as in
// production: a key is a secret and never a command-line argument.
const path = require('node:path');
const { openStore, Keyring } = require(path.join(__dirname, '..', '..', 'dist', 'store'));

const [location, workerId, countText] = process.argv.slice(2);
const count = Number(countText);

function send(message) {
  return new Promise((resolve) => process.send(message, resolve));
}

async function main() {
  // Opening runs the migrations: the parent starts every worker on a fresh database at once.
  const store = await openStore(location, Keyring.fromEnv());
  await send({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve));
  const won = [];
  for (let i = 0; i < count; i += 1) {
    await store.recordActivity({ at: new Date(), actor: `worker-${workerId}`, action: 'diagnose', target: `row-${i}` });
    if (await store.claimEvent(`evt-${i}`, 3600)) won.push(i);
  }
  await store.close();
  await send({ type: 'done', won });
}

main().then(
  () => process.disconnect(),
  async (err) => {
    await send({ type: 'error', message: err && err.message ? err.message : String(err) });
    process.exitCode = 1;
    process.disconnect();
  },
);
