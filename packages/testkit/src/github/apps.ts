/**
 * GitHub Apps: their key pairs, the JWT an App signs to speak as itself, installations, and the
 * hour-long installation tokens (`ghs_…`) an App mints for the repositories it was given.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { appJson, installationJson, repoJson } from './json.js';
import {
  githubError,
  jsonBody,
  paginate,
  problemsParsingJson,
  validationFailed,
  type GitHubRoute,
} from './routes.js';
import {
  repoKey,
  timestamp,
  type GitHubApp,
  type GitHubState,
  type Installation,
  type InstallationToken,
  type Permissions,
} from './state.js';

export interface CreatedApp {
  id: number;
  slug: string;
  /** PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`), as GitHub hands it out. */
  privateKey: string;
  webhookSecret: string;
  clientId: string;
}

const DEFAULT_PERMISSIONS: Permissions = {
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  metadata: 'read',
  checks: 'read',
};
const DEFAULT_EVENTS = ['issue_comment', 'pull_request', 'pull_request_review', 'check_run', 'push'];
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export function createApp(
  state: GitHubState,
  options: { slug: string; name?: string; id?: number; permissions?: Permissions },
): CreatedApp {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app: GitHubApp = {
    id: options.id ?? 1000 + state.apps.length + 1,
    slug: options.slug,
    name: options.name ?? options.slug,
    clientId: `Iv23${randomBytes(8).toString('hex')}`,
    publicKey: createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })),
    webhookSecret: randomBytes(20).toString('hex'),
    permissions: options.permissions ?? DEFAULT_PERMISSIONS,
    events: DEFAULT_EVENTS,
    createdAt: timestamp(),
  };
  state.apps.push(app);
  return {
    id: app.id,
    slug: app.slug,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    webhookSecret: app.webhookSecret,
    clientId: app.clientId,
  };
}

/** Installs an App (the only one unless `appId`) on an account's repositories; again adds repositories. */
export function installApp(
  state: GitHubState,
  options: { owner: string; repos: string[]; appId?: number },
): { id: number } {
  const app = state.app(options.appId);
  if (!app) throw new Error('testkit GitHub: createApp before installApp');
  const fullNames = options.repos.map((name) => {
    const repo = state.repo(options.owner, name);
    if (!repo) throw new Error(`testkit GitHub: createRepo ${options.owner}/${name} before installing on it`);
    return repo.fullName;
  });
  let installation = state.installations.find(
    (i) => i.appId === app.id && i.owner.toLowerCase() === options.owner.toLowerCase(),
  );
  if (!installation) {
    installation = {
      id: state.nextId(),
      appId: app.id,
      owner: options.owner,
      repos: new Set(),
      createdAt: timestamp(),
    };
    state.installations.push(installation);
  }
  for (const name of fullNames) installation.repos.add(name);
  return { id: installation.id };
}

/** Makes every installation token expire now, as an hour passing would. */
export function expireInstallationTokens(state: GitHubState): void {
  for (const token of state.installationTokens.values()) token.expiresAt = Date.now() - 1000;
}

/**
 * The App a `Bearer` JWT speaks for, or GitHub's 401 reason: RS256 over header.payload, signed
 * by the App's key, `iss` its id, not expired, and expiring at most ten minutes ahead.
 */
export function verifyAppJwt(state: GitHubState, jwt: string): GitHubApp | string {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'A JSON web token could not be decoded';
  const [header, payload, signature] = parts as [string, string, string];
  let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return 'A JSON web token could not be decoded';
  }
  if (alg !== 'RS256') return 'A JSON web token could not be decoded';
  const app = state.apps.find((a) => String(a.id) === String(claims.iss) || a.clientId === claims.iss);
  if (!app) return "'Issuer' claim ('iss') must be an Integer";
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    app.publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return 'A JSON web token could not be decoded';
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
    return "Missing 'issued at' or 'expiration time' claim";
  }
  if (claims.exp <= now)
    return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  // GitHub allows some clock drift, but never a JWT lasting beyond ten minutes.
  if (claims.exp - claims.iat > 600 || claims.exp > now + 660)
    return "'Expiration time' claim ('exp') is too far in the future";
  if (claims.iat > now + 60)
    return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
  return app;
}

/** The live installation token, or undefined for an unknown or expired one. */
export function liveInstallationToken(state: GitHubState, token: string): InstallationToken | undefined {
  const found = state.installationTokens.get(token);
  return found && found.expiresAt > Date.now() ? found : undefined;
}

const installationOf = (state: GitHubState, app: GitHubApp, id: string) =>
  state.installations.find((i) => i.appId === app.id && String(i.id) === id);

function mintToken(
  state: GitHubState,
  installation: Installation,
  body: Record<string, unknown>,
): InstallationToken | string {
  const app = state.app(installation.appId)!;
  const names = Array.isArray(body.repositories) ? body.repositories.map(String) : undefined;
  const ids = Array.isArray(body.repository_ids) ? body.repository_ids.map(Number) : undefined;
  const covered = [...installation.repos].map((full) => state.repos.get(full.toLowerCase())!);
  let repos = covered;
  if (names || ids) {
    const wanted = [
      ...(names ?? []).map((n) => covered.find((r) => r.name.toLowerCase() === n.toLowerCase())),
      ...(ids ?? []).map((id) => covered.find((r) => r.id === id)),
    ];
    if (wanted.some((r) => r === undefined)) {
      return 'There is at least one repository that does not exist or is not accessible to the parent installation.';
    }
    repos = wanted as typeof covered;
  }
  const asked =
    body.permissions && typeof body.permissions === 'object' ? (body.permissions as Permissions) : undefined;
  if (asked) {
    const rank = { read: 1, write: 2, admin: 3 } as Record<string, number>;
    for (const [name, level] of Object.entries(asked)) {
      if ((rank[app.permissions[name] ?? ''] ?? 0) < (rank[level] ?? 9)) {
        return `The permissions requested are not granted to this installation.`;
      }
    }
  }
  const token: InstallationToken = {
    token: `ghs_${randomBytes(27).toString('base64url').slice(0, 36)}`,
    installationId: installation.id,
    repos: new Set(repos.map((r) => repoKey(r.owner, r.name))),
    permissions: asked ?? app.permissions,
    restricted: Boolean(names || ids),
    expiresAt: Date.now() + TOKEN_LIFETIME_MS,
  };
  state.installationTokens.set(token.token, token);
  return token;
}

export const appRoutes: GitHubRoute[] = [
  {
    method: 'GET',
    path: '/app',
    api: true,
    auth: 'app',
    handle: ({ state, app }) => ({ body: appJson(state, app!) }),
  },
  {
    method: 'GET',
    path: '/app/installations',
    api: true,
    auth: 'app',
    handle: (req) => {
      const mine = req.state.installations.filter((i) => i.appId === req.app!.id);
      const { page, headers } = paginate(req, mine);
      return { headers, body: page.map((i) => installationJson(req.state, i)) };
    },
  },
  {
    method: 'GET',
    path: '/app/installations/:id',
    api: true,
    auth: 'app',
    handle: ({ state, app, params }) => {
      const installation = installationOf(state, app!, params.id!);
      return installation ? { body: installationJson(state, installation) } : githubError(404, 'Not Found');
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/installation',
    api: true,
    auth: 'app',
    handle: ({ state, app, params }) => {
      const repo = state.repo(params.owner!, params.repo!);
      const installation = repo && state.installationFor(repo, app!.id);
      return installation ? { body: installationJson(state, installation) } : githubError(404, 'Not Found');
    },
  },
  {
    method: 'POST',
    path: '/app/installations/:id/access_tokens',
    api: true,
    auth: 'app',
    handle: (req) => {
      const installation = installationOf(req.state, req.app!, req.params.id!);
      if (!installation) return githubError(404, 'Not Found');
      const body = jsonBody(req);
      if (!body) return problemsParsingJson();
      const token = mintToken(req.state, installation, body);
      if (typeof token === 'string') return validationFailed([], token);
      const repos = [...token.repos].map((key) => req.state.repos.get(key)!);
      return {
        status: 201,
        body: {
          token: token.token,
          expires_at: timestamp(token.expiresAt),
          permissions: token.permissions,
          repository_selection: 'selected',
          ...(token.restricted ? { repositories: repos.map((r) => repoJson(req.state, r)) } : {}),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/installation/repositories',
    api: true,
    auth: 'installation',
    handle: (req) => {
      const repos = [...req.installationToken!.repos].map((key) => req.state.repos.get(key)!);
      const { page, headers } = paginate(req, repos);
      return {
        headers,
        body: {
          total_count: repos.length,
          repository_selection: 'selected',
          repositories: page.map((r) => repoJson(req.state, r)),
        },
      };
    },
  },
];
