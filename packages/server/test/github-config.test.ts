import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveGitHubAppConfig } from '../src/config.js';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs1',
  format: 'pem',
}) as string;

function settings(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    NIGHTSHIFT_GITHUB_APP_ID: '12345',
    NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY: rsaPem,
    NIGHTSHIFT_GITHUB_WEBHOOK_SECRET: 'whsec-for-tests',
    ...overrides,
  };
}

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    resolveGitHubAppConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the settings were accepted');
}

describe('GitHub App settings', () => {
  it('are off when none of the three is set', () => {
    expect(resolveGitHubAppConfig({})).toBeNull();
  });

  it('read the id, the PEM (also from a _FILE, also with \\n escapes) and the webhook secret', () => {
    expect(resolveGitHubAppConfig(settings())).toMatchObject({
      appId: 12345,
      webhookSecret: 'whsec-for-tests',
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-gh-config-'));
    writeFileSync(path.join(dir, 'app.pem'), rsaPem);
    const fromFile = resolveGitHubAppConfig(
      settings({
        NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY: undefined,
        NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY_FILE: path.join(dir, 'app.pem'),
      }),
    );
    expect(fromFile?.privateKey.trim()).toBe(rsaPem.trim());
    const escaped = resolveGitHubAppConfig(
      settings({ NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY: rsaPem.trim().replace(/\n/g, '\\n') }),
    );
    expect(escaped?.privateKey.trim()).toBe(rsaPem.trim());
  });

  it('name what is missing when only some are set', () => {
    const message = refusal({ NIGHTSHIFT_GITHUB_APP_ID: '12345' });
    expect(message).toMatch(/^NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY:/);
    expect(message).toContain('missing NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY, NIGHTSHIFT_GITHUB_WEBHOOK_SECRET');
  });

  it('refuse an app id that is not a number, naming the setting', () => {
    expect(refusal(settings({ NIGHTSHIFT_GITHUB_APP_ID: 'my-app' }))).toMatch(
      /^NIGHTSHIFT_GITHUB_APP_ID: .*"my-app"/,
    );
  });

  it('refuse a private key that is not an RSA PEM, without repeating it', () => {
    const message = refusal(
      settings({ NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY: 'not-a-key-but-a-secret-ish-string' }),
    );
    expect(message).toMatch(/^NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY: /);
    expect(message).not.toContain('secret-ish');
  });
});
