import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli, tempDir } from './support/cli.js';
import { removeDir, startTestServer } from './support/server.js';

describe('nightshift up', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('prints its URL when ready, serves the API, and exits 0 on SIGTERM after shutting down', async () => {
    const dataDir = tempDir('ns-cli-up-');
    cleanup.push(() => removeDir(dataDir));
    const up = new CliProcess(['up', '--port', '0', '--data-dir', dataDir]);
    cleanup.push(async () => void (await up.stop('SIGKILL')));
    const [, url] = await up.waitFor(/Nightshift is up at (http:\/\/127\.0\.0\.1:\d+)/);
    const health = (await (await fetch(`${url}/api/health`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);

    // A client command finds it through NIGHTSHIFT_URL.
    const sessions = await runCli(['sessions'], { env: { NIGHTSHIFT_URL: url! } });
    expect(sessions.code).toBe(0);

    expect(await up.stop('SIGTERM')).toBe(0);
    expect(up.stderr).toContain('shutting down');
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });

  it('takes its settings from the environment too, and SIGINT also shuts it down cleanly', async () => {
    const dataDir = tempDir('ns-cli-up-');
    cleanup.push(() => removeDir(dataDir));
    const up = new CliProcess(['up'], { env: { NIGHTSHIFT_PORT: '0', NIGHTSHIFT_DATA_DIR: dataDir } });
    cleanup.push(async () => void (await up.stop('SIGKILL')));
    await up.waitFor(/Nightshift is up at http/);
    // The data line is a second write: wait for it rather than expect it in the same chunk.
    await up.waitFor(/data: /);
    expect(up.stdout).toContain(`data: ${dataDir}`);
    expect(await up.stop('SIGINT')).toBe(0);
  });

  it('a taken port: one line, non-zero exit', async () => {
    const t = await startTestServer();
    cleanup.push(
      () => removeDir(t.dataDir),
      () => t.close(),
    );
    const dataDir = tempDir('ns-cli-up-');
    cleanup.push(() => removeDir(dataDir));
    const r = await runCli(['up', '--port', String(t.port), '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `nightshift: port ${t.port} on 127.0.0.1 is already in use (choose another with --port or NIGHTSHIFT_PORT)\n`,
    );
  });

  it('an unwritable data dir: one line, non-zero exit', async () => {
    const dir = tempDir('ns-cli-up-');
    cleanup.push(() => removeDir(dir));
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    const r = await runCli(['up', '--port', '0', '--data-dir', path.join(file, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^nightshift: data dir .* is not writable/);
  });

  it('off loopback without sign-in: refused in one line; --insecure-no-auth starts it and says so', async () => {
    const dataDir = tempDir('ns-cli-up-');
    cleanup.push(() => removeDir(dataDir));
    const refused = await runCli(['up', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^nightshift: NIGHTSHIFT_AUTH: .*0\.0\.0\.0 is not a loopback address.*--insecure-no-auth/,
    );

    const up = new CliProcess([
      'up',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--insecure-no-auth',
    ]);
    cleanup.push(async () => void (await up.stop('SIGKILL')));
    const [, port] = await up.waitFor(/Nightshift is up at http:\/\/0\.0\.0\.0:(\d+)/);
    await up.waitFor(/warning: --insecure-no-auth: nobody signs in/, 'stderr');
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as { auth: string };
    expect(health.auth).toBe('none');
    expect(await up.stop('SIGTERM')).toBe(0);
  });

  it('a bad --port is a usage error', async () => {
    const r = await runCli(['up', '--port', 'eighty']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nightshift: --port: must be a whole number/);
  });
});
