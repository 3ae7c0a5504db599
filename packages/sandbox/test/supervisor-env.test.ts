import { describe, expect, it } from 'vitest';
import { isBranchName, SandboxEnvError } from '@nightshift/protocol';
import { parseSupervisorEnv } from '../src/supervisor/env.js';

const valid = {
  NIGHTSHIFT_BRIDGE_URL: 'ws://127.0.0.1:7070/api/sandboxes/bridge',
  NIGHTSHIFT_SANDBOX_TOKEN: 'tok-123456',
  NIGHTSHIFT_SANDBOX_ID: 'sb_1',
  NIGHTSHIFT_REPO_URL: 'https://github.com/acme/app.git',
  NIGHTSHIFT_BASE_BRANCH: 'main',
  NIGHTSHIFT_BRANCH: 'nightshift/abc123',
  NIGHTSHIFT_WORKSPACE: '/workspace',
  NIGHTSHIFT_STATE_DIR: '/state',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseSupervisorEnv(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(SandboxEnvError);
    return (error as SandboxEnvError).problems;
  }
}

describe('supervisor environment', () => {
  it('parses a complete environment with defaults', () => {
    const config = parseSupervisorEnv(valid);
    expect(config).toMatchObject({
      bridge: { url: valid.NIGHTSHIFT_BRIDGE_URL, token: 'tok-123456' },
      sandboxId: 'sb_1',
      remote: { url: 'https://github.com/acme/app.git', credentials: null },
      baseBranch: 'main',
      branch: 'nightshift/abc123',
      bot: { name: 'Nightshift', email: 'bot@nightshift.local' },
      setupTimeoutMs: 600_000,
      startScriptTimeoutMs: 120_000,
      heartbeatMs: 5000,
    });
  });

  it('lists every problem at once, naming the variable', () => {
    const found = problems({ NIGHTSHIFT_BRIDGE_URL: 'http://x', NIGHTSHIFT_WORKSPACE: 'relative' });
    expect(found).toEqual(
      expect.arrayContaining([
        'NIGHTSHIFT_BRIDGE_URL must be a ws:// or wss:// URL (got http://x)',
        'NIGHTSHIFT_SANDBOX_TOKEN is required',
        'NIGHTSHIFT_SANDBOX_ID is required',
        'NIGHTSHIFT_REPO_URL is required',
        'NIGHTSHIFT_BASE_BRANCH is required',
        'NIGHTSHIFT_BRANCH is required',
        'NIGHTSHIFT_WORKSPACE must be an absolute path (got relative)',
        'NIGHTSHIFT_STATE_DIR is required',
      ]),
    );
  });

  it('refuses a session branch equal to the base branch', () => {
    expect(problems({ ...valid, NIGHTSHIFT_BRANCH: 'main' })).toEqual([
      expect.stringMatching(/NIGHTSHIFT_BRANCH must differ from NIGHTSHIFT_BASE_BRANCH/),
    ]);
  });

  it('takes credentials from the URL or the explicit variables, and never echoes them in errors', () => {
    const fromUrl = parseSupervisorEnv({
      ...valid,
      NIGHTSHIFT_REPO_URL: 'https://u:p%40ss@git.example/x.git',
    });
    expect(fromUrl.remote).toEqual({
      url: 'https://git.example/x.git',
      credentials: { username: 'u', password: 'p@ss' },
    });
    const explicit = parseSupervisorEnv({
      ...valid,
      NIGHTSHIFT_REPO_URL: 'http://127.0.0.1:7070/git/s1.git',
      NIGHTSHIFT_GIT_USERNAME: 'sandbox',
      NIGHTSHIFT_GIT_PASSWORD: 'tok-123456',
    });
    expect(explicit.remote.credentials).toEqual({ username: 'sandbox', password: 'tok-123456' });
    const bad = problems({ ...valid, NIGHTSHIFT_REPO_URL: 'https://user:hunter22@[bad' });
    expect(bad.join()).not.toContain('hunter22');
    expect(
      problems({ ...valid, NIGHTSHIFT_REPO_URL: 'file:///srv/x.git', NIGHTSHIFT_GIT_PASSWORD: 'x' }),
    ).toEqual([expect.stringMatching(/only apply to http\(s\)/)]);
  });

  it('accepts local paths and file:// URLs, and validates timeouts, bot identity and model', () => {
    expect(parseSupervisorEnv({ ...valid, NIGHTSHIFT_REPO_URL: '/srv/repo' }).remote.url).toBe('/srv/repo');
    expect(
      problems({
        ...valid,
        NIGHTSHIFT_SETUP_TIMEOUT_SECONDS: 'soon',
        NIGHTSHIFT_BOT_EMAIL: 'not-an-email',
        NIGHTSHIFT_MODEL: 'claude',
      }),
    ).toEqual([
      'NIGHTSHIFT_BOT_EMAIL must be an email address (got not-an-email)',
      'NIGHTSHIFT_MODEL must be provider/model, e.g. anthropic/claude-sonnet-4-5 (got claude)',
      'NIGHTSHIFT_SETUP_TIMEOUT_SECONDS must be a positive number of seconds (got soon)',
    ]);
    const config = parseSupervisorEnv({
      ...valid,
      NIGHTSHIFT_SETUP_TIMEOUT_SECONDS: '1.5',
      NIGHTSHIFT_MODEL: 'openai-compatible/scripted',
      NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:1/v1',
    });
    expect(config.setupTimeoutMs).toBe(1500);
    expect(config.models.openaiCompatible).toEqual({
      baseUrl: 'http://127.0.0.1:1/v1',
      models: ['scripted'],
    });
  });

  it('knows valid branch names', () => {
    for (const ok of ['main', 'nightshift/abc', 'feature/a-b_c.d', 'release+1'])
      expect(isBranchName(ok)).toBe(true);
    for (const bad of ['-x', 'a..b', 'a b', 'a~1', 'x.lock', '.hidden', 'a/.b', 'a//b', 'a@{1}', 'end/', '@'])
      expect(isBranchName(bad)).toBe(false);
  });
});
