import { describeStoreContract } from './contract';
import { SqliteHarness } from './harness';

describeStoreContract('SqliteStore', async () => new SqliteHarness());
