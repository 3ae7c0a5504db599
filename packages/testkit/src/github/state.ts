import { randomBytes } from 'node:crypto';

export interface GitHubUser {
  login: string;
  id: number;
  name: string | null;
  email: string;
  /** Whether GitHub has verified the primary email; default true. */
  emailVerified?: boolean;
  /** Logins of the organisations the user belongs to. */
  orgs?: string[];
}

export interface GitHubToken {
  token: string;
  login: string;
  scopes: string[];
}

/** What the fake GitHub knows: its users, the OAuth app, codes waiting for exchange, tokens issued. */
export class GitHubState {
  readonly tokens = new Map<string, GitHubToken>();
  readonly codes = new Map<
    string,
    { login: string; clientId: string; redirectUri: string; scopes: string[]; challenge?: string }
  >();

  constructor(
    readonly users: GitHubUser[],
    readonly clientId: string,
    readonly clientSecret: string,
  ) {}

  user(login: string): GitHubUser | undefined {
    return this.users.find((u) => u.login.toLowerCase() === login.toLowerCase());
  }

  /** A token as GitHub's OAuth app tokens look (`gho_…`), for tests that need one without the web flow. */
  issueToken(login: string, scopes: string[] = ['read:user', 'user:email', 'read:org']): string {
    const token = `gho_${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, { token, login, scopes });
    return token;
  }
}
