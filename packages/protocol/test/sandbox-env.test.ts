import { describe, expect, it } from 'vitest';
import {
  decodeBridgeEnv,
  decodeSandboxEnv,
  encodeSandboxEnv,
  encodeSandboxSecrets,
  pickProviderEnv,
  repositoryEnv,
  SandboxEnv,
  SandboxEnvError,
  sandboxEnvSecrets,
  sandboxSecretNames,
  withStdinSecrets,
} from '../src/index.js';

/** Every field set, none to its default, so a field the round trip drops cannot go unnoticed. */
const everything: SandboxEnv = {
  bridgeUrl: 'ws://127.0.0.1:7070/api/sandboxes/bridge',
  controlSocket: '/run/nightshift/control.sock',
  controlForwardPort: 7418,
  modelSocket: '/run/nightshift/model.sock',
  modelForwardPort: 7419,
  secretsOnStdin: '1',
  sandboxToken: 'tok-123456',
  sandboxId: 'sbx_1',
  sessionId: 'ses_1',
  repoUrl: 'http://127.0.0.1:7070/git/ses_1.git',
  gitUsername: 'sandbox',
  gitPassword: 'tok-123456',
  baseBranch: 'main',
  branch: 'nightshift/abc123',
  workspace: '/workspace',
  stateDir: '/state',
  botEmail: 'night-bot@example.com',
  botName: 'Night Bot',
  model: 'openai-compatible/scripted',
  openaiCompatibleBaseUrl: 'http://127.0.0.1:11434/v1',
  openaiCompatibleApiKey: 'sk-compatible',
  modelProxyUrl: 'http://127.0.0.1:7419/model-proxy',
  modelProxyProviders: 'anthropic,openai-compatible',
  modelCredential: 'model-credential-1',
  agentSecrets: '{"DEPLOY_TOKEN":"deploy-secret-1"}',
  setupSecrets: '{"NPM_TOKEN":"npm-secret-1"}',
  setupTimeoutSeconds: 1.5,
  startScriptTimeoutSeconds: 30,
  heartbeatSeconds: 0.2,
  orphanTimeoutSeconds: 3,
  providerEnv: { ANTHROPIC_API_KEY: 'sk-ant-1', OPENAI_BASE_URL: 'https://proxy.example/v1' },
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    decodeSandboxEnv(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(SandboxEnvError);
    return (error as SandboxEnvError).problems;
  }
}

describe('sandbox environment contract', () => {
  it('round-trips every field through the environment', () => {
    expect(Object.keys(everything).sort()).toEqual(Object.keys(SandboxEnv.shape).sort());
    const env = encodeSandboxEnv(everything);
    expect(Object.values(env).every((value) => typeof value === 'string')).toBe(true);
    expect(decodeSandboxEnv(env)).toEqual(everything);
  });

  it('writes the variable names the supervisor documents, and provider keys under their own', () => {
    expect(encodeSandboxEnv(everything)).toMatchObject({
      NIGHTSHIFT_BRIDGE_URL: everything.bridgeUrl,
      NIGHTSHIFT_SANDBOX_TOKEN: 'tok-123456',
      NIGHTSHIFT_REPO_URL: everything.repoUrl,
      NIGHTSHIFT_HEARTBEAT_SECONDS: '0.2',
      ANTHROPIC_API_KEY: 'sk-ant-1',
    });
  });

  it('encodes a part on its own, as a provider adds its paths to the session part', () => {
    expect(encodeSandboxEnv({ workspace: '/w', stateDir: '/s' })).toEqual({
      NIGHTSHIFT_WORKSPACE: '/w',
      NIGHTSHIFT_STATE_DIR: '/s',
    });
  });

  it('fills in the defaults of what is left out', () => {
    const unsaid = {
      ...everything,
      botName: undefined,
      botEmail: undefined,
      setupTimeoutSeconds: undefined,
      heartbeatSeconds: undefined,
      providerEnv: undefined,
    };
    expect(decodeSandboxEnv(encodeSandboxEnv(unsaid))).toMatchObject({
      botName: 'Nightshift',
      botEmail: 'bot@nightshift.local',
      setupTimeoutSeconds: 600,
      heartbeatSeconds: 5,
      providerEnv: {},
    });
  });

  it('names a missing or invalid variable in the error, quoting the value only when it is safe', () => {
    const env = encodeSandboxEnv(everything);
    expect(problems({ ...env, NIGHTSHIFT_REPO_URL: undefined })).toEqual(['NIGHTSHIFT_REPO_URL is required']);
    expect(problems({ ...env, NIGHTSHIFT_SANDBOX_TOKEN: '  ' })).toEqual([
      'NIGHTSHIFT_SANDBOX_TOKEN is required',
    ]);
    expect(problems({ ...env, NIGHTSHIFT_HEARTBEAT_SECONDS: 'often' })).toEqual([
      'NIGHTSHIFT_HEARTBEAT_SECONDS must be a positive number of seconds (got often)',
    ]);
    expect(problems({ ...env, NIGHTSHIFT_STATE_DIR: 'state' })).toEqual([
      'NIGHTSHIFT_STATE_DIR must be an absolute path (got state)',
    ]);
    const secretUrl = problems({
      ...env,
      NIGHTSHIFT_REPO_URL: 'ftp://user:hunter22@host/x',
      NIGHTSHIFT_GIT_USERNAME: undefined,
      NIGHTSHIFT_GIT_PASSWORD: undefined,
    });
    expect(secretUrl).toEqual([expect.stringMatching(/^NIGHTSHIFT_REPO_URL must be/)]);
    expect(secretUrl.join()).not.toContain('hunter22');
    expect(() => decodeSandboxEnv({})).toThrow(
      /invalid supervisor environment:\n {2}- NIGHTSHIFT_BRIDGE_URL/,
    );
  });

  it('lets no Nightshift variable through as a provider key', () => {
    const env = encodeSandboxEnv({
      sandboxToken: 'tok-123456',
      providerEnv: { NIGHTSHIFT_SANDBOX_TOKEN: 'forged', NIGHTSHIFT_X_API_KEY: 'k' },
    });
    expect(env).toEqual({ NIGHTSHIFT_SANDBOX_TOKEN: 'tok-123456' });
    expect(
      pickProviderEnv({
        ANTHROPIC_API_KEY: 'a',
        OPENAI_BASE_URL: 'b',
        NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY: 'c',
        HOME: '/root',
        API_KEYS: 'd',
      }),
    ).toEqual({ ANTHROPIC_API_KEY: 'a', OPENAI_BASE_URL: 'b' });
  });

  it('finds the bridge and the secrets of an environment that is otherwise unusable', () => {
    const broken = { ...encodeSandboxEnv(everything), NIGHTSHIFT_REPO_URL: undefined };
    expect(decodeBridgeEnv(broken)).toEqual({
      bridgeUrl: everything.bridgeUrl,
      sandboxToken: 'tok-123456',
      sandboxId: 'sbx_1',
    });
    expect(decodeBridgeEnv({ ...broken, NIGHTSHIFT_SANDBOX_TOKEN: undefined })).toBeNull();
    expect(sandboxEnvSecrets(broken).sort()).toEqual(
      [
        'sk-ant-1',
        'sk-compatible',
        'tok-123456',
        'tok-123456',
        'https://proxy.example/v1',
        'deploy-secret-1',
        'npm-secret-1',
        'model-credential-1',
      ].sort(),
    );
  });

  it('keeps every Nightshift variable, the sandbox token above all, from repository code', () => {
    const env = { ...encodeSandboxEnv(everything), PATH: '/usr/bin', OPENCODE_CONFIG: '/x.json' };
    const seen = repositoryEnv(env);
    expect(Object.keys(seen).filter((name) => name.startsWith('NIGHTSHIFT_'))).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain('tok-123456');
    expect(seen).toEqual({
      PATH: '/usr/bin',
      ANTHROPIC_API_KEY: 'sk-ant-1',
      OPENAI_BASE_URL: 'https://proxy.example/v1',
    });
  });

  it('hands the credentials over on stdin, so the environment a sandbox starts with holds none', () => {
    const full = { ...encodeSandboxEnv({ ...everything, gitPassword: 'pass\nword=x' }) };
    const withoutSecrets = Object.fromEntries(
      Object.entries(full).filter(([name]) => !sandboxSecretNames().includes(name)),
    );
    expect(JSON.stringify(withoutSecrets)).not.toContain('tok-123456');
    const stdin = encodeSandboxSecrets(full) + 'NIGHTSHIFT_BRANCH=main\0';
    const env = withStdinSecrets(withoutSecrets, () => stdin);
    expect(decodeSandboxEnv(env)).toEqual(decodeSandboxEnv(full));
    // Told nothing comes on stdin, the supervisor never reads it.
    const unset = { ...withoutSecrets, NIGHTSHIFT_SECRETS_ON_STDIN: undefined };
    expect(withStdinSecrets(unset, () => expect.unreachable('stdin read'))).toBe(unset);
  });
});
