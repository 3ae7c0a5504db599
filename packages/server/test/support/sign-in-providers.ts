/**
 * Each sign-in provider with a real identity provider behind it (the testkit OIDC issuer, the
 * testkit GitHub), and the same two people in each: an insider on the allow-list, an outsider.
 */
import {
  startGitHubServer,
  startOidcIssuer,
  type CreatedApp,
  type GitHubServer,
  type GitHubUser,
  type OidcAccount,
} from '@nightshift/testkit';
import type { AuthConfig } from '../../src/config.js';
import type { SignInVia } from './sign-in.js';

export interface Person {
  key: string;
  name: string;
  email: string;
}

export const INSIDER: Person = { key: 'ada', name: 'Ada Lovelace', email: 'ada@acme.test' };
export const OUTSIDER: Person = { key: 'mallory', name: 'Mallory Meddler', email: 'mallory@elsewhere.test' };

export interface ProviderWorld {
  auth: Partial<AuthConfig>;
  via(person: Person): SignInVia;
  close(): Promise<void>;
}

export interface ProviderFixture {
  kind: 'oidc' | 'github';
  start(people: Person[], allow: AuthConfig['allow']): Promise<ProviderWorld>;
}

/** The server's GitHub settings for a testkit GitHub: its OAuth app and both of its URLs. */
export function githubSettingsOf(github: GitHubServer): AuthConfig['github'] {
  return {
    clientId: github.clientId,
    clientSecret: github.clientSecret,
    apiUrl: github.apiUrl,
    webUrl: github.url,
  };
}

/**
 * Server settings for team mode signed in through the testkit GitHub, with its App installed:
 * `emails` may sign in (none: GitHub sign-in settings only, the rest as the test's defaults).
 */
export function githubTeamSettings(
  github: GitHubServer,
  app: CreatedApp,
  emails?: string[],
): { auth: Partial<AuthConfig>; github: { appId: number; privateKey: string; webhookSecret: string } } {
  const auth: Partial<AuthConfig> = emails
    ? {
        mode: 'github',
        github: githubSettingsOf(github),
        allow: { emails, domains: [], githubOrgs: [] },
        admins: [],
        allowedRepos: [],
      }
    : { github: githubSettingsOf(github) };
  return { auth, github: { appId: app.id, privateKey: app.privateKey, webhookSecret: app.webhookSecret } };
}

export const oidcFixture: ProviderFixture = {
  kind: 'oidc',
  async start(people, allow) {
    const accounts: OidcAccount[] = people.map((p) => ({ email: p.email, name: p.name }));
    const issuer = await startOidcIssuer({ accounts });
    return {
      auth: {
        mode: 'oidc',
        oidc: { issuer: issuer.url, clientId: issuer.clientId, clientSecret: issuer.clientSecret },
        allow,
        admins: [],
      },
      via: (person) => ({ via: 'oidc', issuer, email: person.email }),
      close: () => issuer.close(),
    };
  },
};

export const githubFixture: ProviderFixture = {
  kind: 'github',
  async start(people, allow) {
    const users: GitHubUser[] = people.map((p, i) => ({
      login: p.key,
      id: 101 + i,
      name: p.name,
      email: p.email,
    }));
    const github = await startGitHubServer({ users });
    return {
      auth: {
        mode: 'github',
        github: githubSettingsOf(github),
        allow,
        admins: [],
      },
      via: (person) => ({ via: 'github', github, login: person.key }),
      close: () => github.close(),
    };
  },
};

export const PROVIDER_FIXTURES = [oidcFixture, githubFixture];
