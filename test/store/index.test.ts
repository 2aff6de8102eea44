import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreLocation, isStoreError, Keyring, openStore, type StoreErrorCode } from '../../src/store';
import { newKey } from './harness';

async function rejection(promise: Promise<unknown>, code: StoreErrorCode): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isStoreError(err, code)) return err.message;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('openStore', () => {
  const ring = Keyring.parse(newKey());

  it('opens a SQLite file, creating its missing parent directories privately', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fw-open-'));
    try {
      const path = join(root, 'a', 'b', 'front-why.db');
      const store = await openStore(path, ring);
      await store.close();
      await store.close();
      expect(existsSync(path)).toBe(true);
      expect(statSync(join(root, 'a', 'b')).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('creates the SQLite file and its -wal and -shm readable by the owner only, in a directory it did not make', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fw-perm-'));
    try {
      chmodSync(root, 0o755);
      const path = join(root, 'front-why.db');
      const store = await openStore(path, ring);
      try {
        await store.addTenant({ name: 'acme', token: 'a-front-token-1234567890', addedBy: 'U1' });
        const modes = ['', '-wal', '-shm'].map((suffix) => [suffix, statSync(path + suffix).mode & 0o777]);
        expect(modes).toEqual([
          ['', 0o600],
          ['-wal', 0o600],
          ['-shm', 0o600],
        ]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('tightens an existing SQLite file others could read to the owner only, and says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fw-perm-'));
    try {
      const path = join(root, 'front-why.db');
      await (await openStore(path, ring)).close();
      // As a release before files were created private left it.
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o644);
      const notices: string[] = [];
      const store = await openStore(path, ring, { onNotice: (m) => notices.push(m) });
      await store.close();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(notices).toEqual([
        `${path} could be read by other users (mode 644); it is now readable by its owner only (600)`,
      ]);
      const again: string[] = [];
      await (await openStore(path, ring, { onNotice: (m) => again.push(m) })).close();
      expect(again).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('rejects a URL scheme it does not speak instead of making a file named after it', async () => {
    expect(await rejection(openStore('mysql://db/front', ring), 'invalid_input')).toMatch(
      /postgres:\/\/ .* SQLite file path/,
    );
    expect(await rejection(openStore(' ', ring), 'invalid_input')).toMatch(/empty/);
  });

  it('requires a keyring', async () => {
    expect(await rejection(openStore(':memory:', undefined as unknown as Keyring), 'key_config')).toMatch(/Keyring/);
  });

  it('reports an unreachable PostgreSQL by host, never with the password', async () => {
    const message = await rejection(
      openStore('postgresql://front:s3cret-pw@127.0.0.1:1/frontwhy', ring),
      'connection_failed',
    );
    expect(message).toMatch(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1\/frontwhy: /);
    expect(message).not.toContain('s3cret-pw');
  });

  it('describes a location without credentials', () => {
    expect(describeStoreLocation('postgres://u:pw@db.internal:6543/fw?sslmode=require')).toBe(
      'postgres://db.internal:6543/fw',
    );
    expect(describeStoreLocation('./data/front-why.db')).toBe('./data/front-why.db');
  });
});
