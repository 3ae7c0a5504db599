export { startGitHttpServer } from './server.js';
export type { GitHttpServer, GitHttpServerOptions, GitHttpRequestRecord } from './server.js';
export { createBareRepo, git, type BareRepoOptions } from './repos.js';
