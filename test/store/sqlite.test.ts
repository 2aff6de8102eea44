import { describeSharedStateContract } from './shared-state.contract';
import { describeStoreContract } from './contract';
import { SqliteHarness } from './harness';

describeStoreContract('SqliteStore', async () => new SqliteHarness());
describeSharedStateContract('SqliteStore', async () => new SqliteHarness());
