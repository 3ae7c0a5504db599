import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenCodeConfig, startOpenCodeServer, type OpenCodeExit } from '../src/opencode/index.js';
import { openCodeEnvironment } from '../src/opencode/server-process.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-opencode-server-'));
  await fs.mkdir(path.join(dir, 'ws'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const config = buildOpenCodeConfig({});

describe('opencode serve process', () => {
  it("keeps Nightshift's variables and the real home away from the agent", () => {
    const env = openCodeEnvironment({
      cwd: '/ws',
      stateDir: '/state',
      password: 'pw',
      config: buildOpenCodeConfig({ providerKeys: { ANTHROPIC_API_KEY: 'sk-ant' } }),
      env: {
        PATH: '/bin',
        HOME: '/root',
        NIGHTSHIFT_SANDBOX_TOKEN: 'tok',
        OPENCODE_CONFIG: '/elsewhere.json',
      },
    });
    expect(env).toMatchObject({
      PATH: '/bin',
      HOME: '/state/home',
      XDG_DATA_HOME: '/state/data',
      ANTHROPIC_API_KEY: 'sk-ant',
    });
    expect(env.NIGHTSHIFT_SANDBOX_TOKEN).toBeUndefined();
    expect(env.OPENCODE_CONFIG).toBeUndefined();
    expect(JSON.parse(env.OPENCODE_CONFIG_CONTENT!)).toMatchObject({ permission: 'allow' });
  });

  it('requires the password, uses its state dir, runs side by side and reports an unexpected exit', async () => {
    const exits: OpenCodeExit[] = [];
    const start = (name: string) =>
      startOpenCodeServer({
        cwd: path.join(dir, 'ws'),
        stateDir: path.join(dir, name),
        password: `pw-${name}`,
        config,
        onUnexpectedExit: (exit) => exits.push(exit),
      });
    const [a, b] = await Promise.all([start('a'), start('b')]);
    try {
      expect(a.url).not.toBe(b.url);
      expect((await fetch(`${a.url}/global/health`)).status).toBe(401);
      expect(
        (await fetch(`${a.url}/global/health`, { headers: { authorization: b.authorization } })).status,
      ).toBe(401);
      const health = await fetch(`${a.url}/global/health`, { headers: { authorization: a.authorization } });
      expect(await health.json()).toMatchObject({ healthy: true });
      // OpenCode keeps its database under the state dir we gave it.
      expect(
        (await fs.readdir(path.join(dir, 'a', 'data', 'opencode'))).some((f) => f.startsWith('opencode.db')),
      ).toBe(true);

      process.kill(b.pid, 'SIGKILL');
      const exit = await b.exited;
      expect(exit.signal).toBe('SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
      expect(exits).toHaveLength(1);

      const stopped = await a.stop();
      expect(stopped.signal === 'SIGTERM' || stopped.code === 0 || stopped.code === 143).toBe(true);
      expect(exits).toHaveLength(1); // a requested stop is not reported
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('fails to start with the reason when the binary cannot run', async () => {
    await expect(
      startOpenCodeServer({
        cwd: path.join(dir, 'ws'),
        stateDir: path.join(dir, 'c'),
        password: 'pw-never-shown',
        config,
        binary: '/bin/false',
        startTimeoutMs: 5000,
      }),
    ).rejects.toThrow(/exited before it was ready/);
  });
});
