import { startSandbox, type Sandbox } from '../../src/sandbox';
import { errorOf, get } from './helpers';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterEach(() => sandbox.close());

describe('unreachable', () => {
  it('refuses connections while off, as a host that cannot reach Front meets it, and answers again when on', async () => {
    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    await sandbox.setReachable(false);
    await expect(get(sandbox, '/me', { token: 'acme_private' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await sandbox.setReachable(true);
    const again = await get(sandbox, '/me', { token: 'acme_private' });
    expect(again.status).toBe(200);
    expect(new URL(sandbox.url).port).not.toBe('');
  });

  it('keeps its state while off: a preference changed meanwhile holds when it answers again', async () => {
    await sandbox.setReachable(false);
    sandbox.setApiAccess('bruno.keller@acme.example', true);
    await sandbox.setReachable(true);
    expect((await get(sandbox, '/conversations/cnv_yo1kg5q', { token: 'acme_private' })).status).toBe(200);
  });

  it('closes while off', async () => {
    await sandbox.setReachable(false);
    await sandbox.close();
  });
});

describe("another company's ID", () => {
  it("answers 404 with Front's wording for an ID that exists in another company", async () => {
    // cnv_zq3ab10 is Globex's: Globex's own token reads it.
    expect((await get(sandbox, '/conversations/cnv_zq3ab10', { token: 'globex_private' })).status).toBe(200);
    const res = await get(sandbox, '/conversations/cnv_zq3ab10', { token: 'acme_private' });
    expect(res.status).toBe(404);
    expect(errorOf(res).message).toBe('Unknown conversation ID cnv_zq3ab10');
  });
});
