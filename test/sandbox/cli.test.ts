import { Writable } from 'node:stream';
import { runSandboxCli, SANDBOX_SCENARIOS, startSandbox, TOKEN_NAMES, type Sandbox } from '../../src/sandbox';
import { get } from './helpers';

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => buf };
}

describe('runSandboxCli', () => {
  it('prints the base URL, companies, every token with what it is, and the scenarios; stops on abort', async () => {
    const out = sink();
    const controller = new AbortController();
    const sigintBefore = process.listenerCount('SIGINT');
    let ready: Sandbox | undefined;
    const done = runSandboxCli(['--port', '0'], out.stream, {
      signal: controller.signal,
      onReady: (s) => {
        ready = s;
      },
    });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (ready) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    const sandbox = ready as Sandbox;
    const text = out.text();
    expect(text).toContain(`Front sandbox listening on ${sandbox.url}`);
    expect(text).toMatch(/Acme Support \(cmp_a3c1\), Starter plan, 50 requests\/minute/);
    expect(text).toMatch(/off: Bruno Keller \(tea_6r55b\), Dmitri Ivanov \(tea_6r55d\)/);
    for (const name of TOKEN_NAMES) {
      expect(text).toContain(`  ${name}: `);
      expect(text).toContain(sandbox.tokens[name]);
    }
    for (const s of SANDBOX_SCENARIOS) expect(text).toContain(`${s.name}: ${s.tokenName} → ${s.expectedCause}`);
    expect(process.listenerCount('SIGINT')).toBe(sigintBefore + 1);

    expect((await get(sandbox, '/me', { token: 'acme_private' })).status).toBe(200);
    controller.abort();
    await expect(done).resolves.toBe(0);
    expect(out.text()).toContain('Front sandbox stopped.');
    expect(process.listenerCount('SIGINT')).toBe(sigintBefore);
    await expect(get(sandbox, '/me', { token: 'acme_private' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('--port=N and --latency are honoured', async () => {
    const probe = await startSandbox({ port: 0 });
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const out = sink();
    const controller = new AbortController();
    let ready: Sandbox | undefined;
    const done = runSandboxCli([`--port=${port}`, '--latency', '60'], out.stream, {
      signal: controller.signal,
      onReady: (s) => (ready = s),
    });
    while (!ready) await new Promise((r) => setTimeout(r, 5));
    expect(ready.url).toBe(`http://127.0.0.1:${port}`);
    expect(ready.faults().latencyMs).toBe(60);
    controller.abort();
    await expect(done).resolves.toBe(0);
  });

  it.each([
    [['--port', 'abc'], /--port needs a whole number/],
    [['--port', '70000'], /--port needs a whole number/],
    [['--port'], /--port needs a whole number from 0 to 65535, got nothing/],
    [['--latency', '-5'], /--latency needs/],
    [['--verbose'], /unknown option "--verbose"/],
  ])('%j is a usage error (exit 2) with the usage text', async (argv, message) => {
    const out = sink();
    const err = sink();
    await expect(runSandboxCli(argv, out.stream, { err: err.stream })).resolves.toBe(2);
    expect(err.text()).toMatch(message);
    expect(err.text()).toContain('Usage: front-why sandbox');
    expect(out.text()).toBe('');
  });

  it('--help prints the usage and exits 0 without starting', async () => {
    const out = sink();
    await expect(runSandboxCli(['--help'], out.stream)).resolves.toBe(0);
    expect(out.text()).toContain('default 4010');
  });

  it('a taken port is reported with a fix, exit 1', async () => {
    const busy = await startSandbox({ port: 0 });
    try {
      const err = sink();
      const port = new URL(busy.url).port;
      await expect(runSandboxCli(['--port', port], sink().stream, { err: err.stream })).resolves.toBe(1);
      expect(err.text()).toContain(`could not listen on 127.0.0.1:${port}`);
      expect(err.text()).toContain('pass --port <another>');
    } finally {
      await busy.close();
    }
  });
});
