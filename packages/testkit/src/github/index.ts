export * from './server.js';
export type { GitHubRoute, GitHubRequest, GitHubResponse } from './routes.js';
export type { GitHubUser, GitHubToken, GitHubState } from './state.js';
