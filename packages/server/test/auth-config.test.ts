import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../src/config.js';
import { startTestServer } from './support/harness.js';

const ISSUER = 'https://login.example.com';
const team = {
  NIGHTSHIFT_AUTH: 'oidc',
  NIGHTSHIFT_OIDC_ISSUER: ISSUER,
  NIGHTSHIFT_OIDC_CLIENT_ID: 'nightshift',
  NIGHTSHIFT_ALLOWED_DOMAINS: 'acme.test',
};

/** The one line `nightshift up` would print, or null when the settings are accepted. */
function refusal(env: NodeJS.ProcessEnv, options: Parameters<typeof resolveConfig>[0] = {}): string | null {
  try {
    resolveConfig(options, env);
    return null;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
}

describe('team-mode settings', () => {
  it('reads every setting, lists lowercased and trimmed, URLs defaulting to github.com', () => {
    const { auth } = resolveConfig(
      {},
      {
        ...team,
        NIGHTSHIFT_PUBLIC_URL: 'https://ns.acme.test/',
        NIGHTSHIFT_ALLOWED_EMAILS: ' Ada@Acme.test , ,bob@acme.test',
        NIGHTSHIFT_ALLOWED_GITHUB_ORGS: 'Acme',
        NIGHTSHIFT_ADMINS: 'ADA@acme.test',
        NIGHTSHIFT_ALLOWED_REPOS: 'https://git.acme.test/App/*, /srv/Repos/app',
      },
    );
    expect(auth).toEqual({
      mode: 'oidc',
      publicUrl: 'https://ns.acme.test',
      oidc: { issuer: ISSUER, clientId: 'nightshift', clientSecret: null },
      github: {
        clientId: null,
        clientSecret: null,
        apiUrl: 'https://api.github.com',
        webUrl: 'https://github.com',
      },
      allow: { emails: ['ada@acme.test', 'bob@acme.test'], domains: ['acme.test'], githubOrgs: ['acme'] },
      admins: ['ada@acme.test'],
      allowedRepos: ['https://git.acme.test/App/*', '/srv/Repos/app'],
      insecureNoAuth: false,
    });
  });

  it('reads a secret from NAME_FILE, and names the setting when the file cannot be read', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-cfg-'));
    const file = path.join(dir, 'secret');
    writeFileSync(file, 'from-a-file\n');
    const { auth } = resolveConfig({}, { ...team, NIGHTSHIFT_OIDC_CLIENT_SECRET_FILE: file });
    expect(auth.oidc?.clientSecret).toBe('from-a-file');
    expect(refusal({ ...team, NIGHTSHIFT_OIDC_CLIENT_SECRET_FILE: path.join(dir, 'missing') })).toMatch(
      /^NIGHTSHIFT_OIDC_CLIENT_SECRET_FILE: cannot read/,
    );
  });

  it('stops at start, naming the setting, on combinations that cannot work', () => {
    expect(refusal({ NIGHTSHIFT_AUTH: 'saml' })).toMatch(/^NIGHTSHIFT_AUTH: must be none, oidc or github/);
    expect(refusal({ ...team, NIGHTSHIFT_OIDC_ISSUER: '' })).toMatch(/^NIGHTSHIFT_OIDC_ISSUER: must be set/);
    expect(refusal({ ...team, NIGHTSHIFT_OIDC_CLIENT_ID: '' })).toMatch(
      /^NIGHTSHIFT_OIDC_CLIENT_ID: must be set/,
    );
    expect(refusal({ ...team, NIGHTSHIFT_OIDC_ISSUER: 'http://login.example.com' })).toMatch(
      /^NIGHTSHIFT_OIDC_ISSUER: must be https/,
    );
    expect(refusal({ ...team, NIGHTSHIFT_OIDC_ISSUER: 'http://127.0.0.1:9999' })).toBeNull();
    expect(refusal({ NIGHTSHIFT_AUTH: 'github', NIGHTSHIFT_ALLOWED_GITHUB_ORGS: 'acme' })).toMatch(
      /^NIGHTSHIFT_GITHUB_CLIENT_ID: must be set/,
    );
    expect(
      refusal({
        NIGHTSHIFT_AUTH: 'github',
        NIGHTSHIFT_GITHUB_CLIENT_ID: 'id',
        NIGHTSHIFT_ALLOWED_GITHUB_ORGS: 'acme',
      }),
    ).toMatch(/^NIGHTSHIFT_GITHUB_CLIENT_SECRET: must be set/);
    // Under OIDC a GitHub OAuth client is optional (it links GitHub accounts), but whole.
    expect(
      refusal({ ...team, NIGHTSHIFT_GITHUB_CLIENT_ID: 'id', NIGHTSHIFT_GITHUB_CLIENT_SECRET: 'secret' }),
    ).toBeNull();
    expect(refusal({ ...team, NIGHTSHIFT_GITHUB_CLIENT_ID: 'id' })).toMatch(
      /^NIGHTSHIFT_GITHUB_CLIENT_SECRET: must be set with NIGHTSHIFT_GITHUB_CLIENT_ID/,
    );
    expect(refusal({ ...team, NIGHTSHIFT_GITHUB_CLIENT_SECRET: 'secret' })).toMatch(
      /^NIGHTSHIFT_GITHUB_CLIENT_ID: must be set with NIGHTSHIFT_GITHUB_CLIENT_SECRET/,
    );
    expect(refusal({ ...team, NIGHTSHIFT_ALLOWED_DOMAINS: '' })).toMatch(/nobody could sign in/);
    expect(refusal({ ...team, NIGHTSHIFT_PUBLIC_URL: 'ftp://x' })).toMatch(/^NIGHTSHIFT_PUBLIC_URL:/);
    for (const message of [
      refusal({ NIGHTSHIFT_AUTH: 'saml' }),
      refusal({ ...team, NIGHTSHIFT_ALLOWED_DOMAINS: '' }),
    ]) {
      expect(message).not.toContain('\n');
    }
  });

  it('needs NIGHTSHIFT_PUBLIC_URL with auth on beyond loopback, and defaults to the listen URL on loopback', () => {
    expect(refusal({ ...team, NIGHTSHIFT_HOST: '0.0.0.0' })).toMatch(/^NIGHTSHIFT_PUBLIC_URL: must be set/);
    expect(
      refusal({ ...team, NIGHTSHIFT_HOST: '0.0.0.0', NIGHTSHIFT_PUBLIC_URL: 'https://ns.acme.test' }),
    ).toBeNull();
    expect(resolveConfig({}, team).auth.publicUrl).toBeNull();
  });
});

describe('no sign-in beyond loopback', () => {
  it('refuses to listen on a non-loopback address without auth, unless told --insecure-no-auth', () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::']) {
      expect(refusal({}, { host })).toMatch(/^NIGHTSHIFT_AUTH: is none, and .* not a loopback address/);
      expect(refusal({}, { host, auth: { insecureNoAuth: true } })).toBeNull();
      expect(refusal({ NIGHTSHIFT_INSECURE_NO_AUTH: '1', NIGHTSHIFT_HOST: host })).toBeNull();
    }
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(refusal({}, { host })).toBeNull();
  });

  it('does not start the server at all, and with the flag starts it saying so in the log', async () => {
    await expect(startTestServer({ host: '0.0.0.0' })).rejects.toThrow(ConfigError);
    const lines: string[] = [];
    const server = await startTestServer({
      host: '0.0.0.0',
      auth: { insecureNoAuth: true },
      logLevel: 'warn',
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    try {
      expect((await server.client.health()).auth).toBe('none');
      expect(lines.join('')).toMatch(/insecure: no sign-in/);
    } finally {
      await server.stopAndClean();
    }
  });
});
