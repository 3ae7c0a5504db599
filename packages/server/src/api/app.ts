import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { SessionRegistry } from '../sessions/session-registry.js';
import type { RealtimeHub } from '../realtime/hub.js';
import type { SseOptions } from '../realtime/sse.js';
import type { Logger } from '../log.js';
import type { AuthMode } from '../config.js';
import { ApiError, answerError } from './errors.js';
import { sessionRoutes } from './routes/sessions.js';
import { promptRoutes } from './routes/prompts.js';
import { eventRoutes } from './routes/events.js';
import { usageRoutes } from './routes/usage.js';
import type { UsageLedger } from '../models/usage-ledger.js';
import type { AuthServices } from '../auth/auth-services.js';
import { authMiddleware } from './auth-middleware.js';
import { logoutRoutes, meRoutes } from './routes/me.js';
import { tokenRoutes } from './routes/tokens.js';
import { signInRoutes, type SignInRoutesDeps } from './routes/auth-login.js';
import { GITHUB_LINK_PATH, githubLinkRoutes, type GitHubLinkRoutesDeps } from './routes/github-link.js';
import { secretRoutes } from './routes/secrets.js';
import type { SecretsService } from '../secrets/secret-service.js';
import type { GitHubCodeHost } from '../github/github-code-host.js';
import type { PullRequestService } from '../github/pull-requests.js';
import { pullRequestRoutes } from './routes/pull-requests.js';
import { repoRoutes } from './routes/repos.js';
import { GITHUB_WEBHOOK_PATH, githubWebhookRoutes } from './routes/github-webhook.js';
import type { WebhookReceiver } from '../github/webhooks/receiver.js';

export interface AppDeps {
  registry: SessionRegistry;
  hub: RealtimeHub;
  log: Logger;
  version: string;
  /** Told by /api/health, so a client knows whether to sign in and how. */
  authMode: AuthMode;
  /** Who each request acts for (local mode: the person at the machine). */
  auth: AuthServices;
  sse: SseOptions;
  /** The sign-in routes, in team mode. */
  signIn?: SignInRoutesDeps | null;
  /** Linking a GitHub account under OIDC sign-in, when a GitHub OAuth client is configured too. */
  githubLink?: GitHubLinkRoutesDeps | null;
  secrets: SecretsService;
  /** Model usage (`GET /api/usage`); absent where no model proxy runs. */
  usage?: Pick<UsageLedger, 'report'>;
  /** The GitHub App: installed repositories and pull requests; null when none is configured. */
  github?: { host: GitHubCodeHost; pullRequests: PullRequestService } | null;
  maxBodyBytes: number;
  /** GitHub's webhook deliveries; absent when no GitHub App is configured. */
  githubWebhook?: WebhookReceiver;
  /** Serves the web UI for non-API paths, when it is built. */
  web?: (path: string) => Promise<Response | undefined>;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  const apiBodyLimit = bodyLimit({
    maxSize: deps.maxBodyBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `body: must be at most ${deps.maxBodyBytes} bytes`);
    },
  });
  // GitHub's deliveries may be up to 25 MB: the webhook route sets its own limit.
  app.use('/api/*', (c, next) => (c.req.path === GITHUB_WEBHOOK_PATH ? next() : apiBodyLimit(c, next)));

  // Before any route, and before a body is read: who is asking decides whether it is read at all.
  app.use('/api/*', authMiddleware(deps.auth.authenticator));

  app.get('/api/health', (c) => c.json({ ok: true, version: deps.version, auth: deps.authMode }));
  if (deps.signIn) app.route('/api/auth', signInRoutes(deps.signIn));
  if (deps.githubLink) app.route(GITHUB_LINK_PATH, githubLinkRoutes(deps.githubLink));
  app.route('/api/me', meRoutes());
  app.route('/api/auth', logoutRoutes(deps.auth));
  app.route('/api/tokens', tokenRoutes(deps.auth.tokens));
  app.route(
    '/api/sessions',
    sessionRoutes(deps.registry, deps.auth.config.allowedRepos, deps.github?.host ?? null),
  );
  if (deps.github) app.route('/api/sessions', pullRequestRoutes(deps.github.pullRequests));
  app.route('/api/repos', repoRoutes(deps.github?.host ?? null, deps.auth.config.allowedRepos));
  app.route('/api/sessions', promptRoutes(deps.registry));
  app.route('/api/sessions', eventRoutes(deps.registry, deps.hub, deps.sse));
  app.route('/api/secrets', secretRoutes(deps.secrets, deps.github?.host ?? null));
  if (deps.usage) app.route('/api/usage', usageRoutes(deps.usage));
  if (deps.githubWebhook) app.route(GITHUB_WEBHOOK_PATH, githubWebhookRoutes(deps.githubWebhook));

  app.all('/api/*', (c) => {
    throw new ApiError(404, 'not_found', `no such endpoint: ${c.req.method} ${c.req.path}`);
  });

  app.get('*', async (c) => {
    const page = await deps.web?.(c.req.path);
    if (page) return page;
    throw new ApiError(404, 'not_found', `no such page: ${c.req.path}`);
  });

  app.notFound((c) =>
    c.json(new ApiError(404, 'not_found', `no such endpoint: ${c.req.method} ${c.req.path}`).toBody(), 404),
  );

  app.onError(answerError(deps.log));

  return app;
}
