export * from './server.js';
export type { GitHubRoute, GitHubRequest, GitHubResponse, RouteAuth } from './routes.js';
export type {
  GitHubUser,
  GitHubToken,
  GitHubState,
  GitHubActor,
  Repo as GitHubRepo,
  PullRequest as GitHubPullRequest,
  IssueComment as GitHubIssueComment,
  InstallationToken as GitHubInstallationToken,
} from './state.js';
export type { CreatedApp, CreatedApp as GitHubAppCredentials } from './apps.js';
export type { CreateRepoOptions as GitHubRepoOptions } from './bare-repos.js';
export type { WebhookDelivery } from './webhooks.js';
export { signWebhook } from './webhooks.js';
export type { RateLimitOptions as GitHubRateLimit } from './rate-limit.js';
