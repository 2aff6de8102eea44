#!/usr/bin/env node
'use strict';
const path = require('node:path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'cli.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli\.js/.test(String(err.message))) {
    process.stderr.write('front-why: the build is missing; run `npm ci` (or `npm run build`) first.\n');
    process.exit(2);
  }
  throw err;
}
cli.runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`front-why: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
