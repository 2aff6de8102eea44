/* eslint-disable @typescript-eslint/no-require-imports */
import { createRequire, Module } from 'node:module';
import type * as Bolt from '@slack/bolt';

/**
 * The parts of Bolt front-why uses, required file by file. Bolt's index also loads the Express and AWS Lambda
 * receivers and their dependencies (over a hundred modules, none used here), all before `serve` can answer
 * anything. Bolt 5 has no export map, so its files are required by path; the types are the index's own, and a
 * test (test/cli/start-cost.test.ts) checks what a start loads.
 */

const APP = '@slack/bolt/dist/App';
const SOCKET_MODE_RECEIVER = '@slack/bolt/dist/receivers/SocketModeReceiver';

deferSocketModeReceiver();

export const App: typeof Bolt.App = (require('@slack/bolt/dist/App') as typeof import('@slack/bolt/dist/App')).default;
export type App = Bolt.App;

export const HTTPReceiver: typeof Bolt.HTTPReceiver = (
  require('@slack/bolt/dist/receivers/HTTPReceiver') as typeof import('@slack/bolt/dist/receivers/HTTPReceiver')
).default;
export type HTTPReceiver = Bolt.HTTPReceiver;

/** Socket Mode's receiver, loaded on first use: only a start with SLACK_APP_TOKEN needs it. */
export function socketModeReceiver(): typeof Bolt.SocketModeReceiver {
  return (require(SOCKET_MODE_RECEIVER) as typeof import('@slack/bolt/dist/receivers/SocketModeReceiver')).default;
}
export type SocketModeReceiver = Bolt.SocketModeReceiver;

/**
 * Bolt's App requires its Socket Mode receiver when it loads, and with it the Socket Mode client and its own HTTP
 * stack (about 120 modules, a third of a start's CPU and some 10 MB), though it reads the receiver's class only to
 * build one when given `socketMode: true` and no receiver, which front-why never does. So until something asks for
 * that class, the module cache holds a stand-in whose `default` loads the real receiver: App gets the same class
 * whenever it reads it, and an HTTP-mode server never loads Socket Mode. Nothing is deferred if the file is not
 * where Bolt 5 puts it, or is already loaded.
 */
function deferSocketModeReceiver(): void {
  let file: string;
  try {
    file = require.resolve(SOCKET_MODE_RECEIVER);
  } catch {
    return;
  }
  if (require.cache[file]) return;
  const standIn = new Module(file, module);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = {
    __esModule: true,
    get default(): typeof Bolt.SocketModeReceiver {
      if (require.cache[file] === standIn) delete require.cache[file];
      return socketModeReceiver();
    },
  };
  require.cache[file] = standIn;
}

export const HTTPModuleFunctions: typeof Bolt.HTTPModuleFunctions = require('@slack/bolt/dist/receivers/HTTPModuleFunctions');

export const defaultProcessEventErrorHandler: typeof Bolt.defaultProcessEventErrorHandler = (
  require('@slack/bolt/dist/receivers/SocketModeFunctions') as typeof import('@slack/bolt/dist/receivers/SocketModeFunctions')
).defaultProcessEventErrorHandler;

export const LogLevel: typeof Bolt.LogLevel = (require(APP) as typeof Bolt).LogLevel;
export type LogLevel = Bolt.LogLevel;

/** The Web API client, as Bolt's App requires it (a dependency of Bolt's, so the same one Bolt posts with). */
const webApi = createRequire(require.resolve(APP))('@slack/web-api') as typeof Bolt.webApi;

export const WebClient: typeof Bolt.webApi.WebClient = webApi.WebClient;
export type WebClient = Bolt.webApi.WebClient;

export const WebApiErrorCode: typeof Bolt.webApi.ErrorCode = webApi.ErrorCode;
