/* eslint-disable @typescript-eslint/no-require-imports */
import { createRequire } from 'node:module';
import type * as Bolt from '@slack/bolt';

/**
 * The parts of Bolt front-why uses, required file by file. Bolt's index also loads the Express and AWS Lambda
 * receivers and their dependencies (over a hundred modules, none used here), all before `serve` can answer
 * anything. Bolt 5 has no export map, so its files are required by path; the types are the index's own, and a
 * test (test/cli/start-cost.test.ts) checks that a start loads Bolt without Express.
 */

const APP = '@slack/bolt/dist/App';

export const App: typeof Bolt.App = (require('@slack/bolt/dist/App') as typeof import('@slack/bolt/dist/App')).default;
export type App = Bolt.App;

export const HTTPReceiver: typeof Bolt.HTTPReceiver = (
  require('@slack/bolt/dist/receivers/HTTPReceiver') as typeof import('@slack/bolt/dist/receivers/HTTPReceiver')
).default;
export type HTTPReceiver = Bolt.HTTPReceiver;

export const SocketModeReceiver: typeof Bolt.SocketModeReceiver = (
  require('@slack/bolt/dist/receivers/SocketModeReceiver') as typeof import('@slack/bolt/dist/receivers/SocketModeReceiver')
).default;
export type SocketModeReceiver = Bolt.SocketModeReceiver;

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
