import type { Config } from '../config';
import type { Logger } from '../log';
import type { Rule } from '../rules';
import type { Store } from '../store';
import type { AdminCheck } from './access';
import type { Identity } from './identity';
import type { InFlight } from './inflight';
import type { ConnectFn, TenantConnections } from './tenants';

/** Everything a listener needs, built once in `createSlackApp` and passed to each handler factory. */
export interface SlackDeps {
  config: Config;
  store: Store;
  rules: Rule[];
  logger: Logger;
  clock: () => number;
  tenants: TenantConnections;
  /** Only the connect modal uses it directly, to check a new token before anything is stored. */
  connect: ConnectFn;
  admins: AdminCheck;
  identity: Identity;
  inflight: InFlight;
}

/** The person asking and where, as every check and audit line needs it. */
export interface Requester {
  userId: string;
  /** The workspace the app is installed in: bindings and settings are keyed by it, whoever asks. */
  teamId: string;
  channelId: string;
}
