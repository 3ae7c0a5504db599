/** Real git for the workspace: checkout of the session branch, commits, pushes. */
export { checkout, hasCheckout, type CheckoutOptions, type CheckoutResult } from './checkout.js';
export { setPromptIdentity, identityEnv } from './identity.js';
export { commitMessage, MAX_SUBJECT } from './message.js';
export { publish, assertPushable, headOf, type PublishOptions, type PublishResult } from './publish.js';
export { parseRemote, credentialEnv, remoteSecrets, type GitRemote, type GitCredentials } from './remote.js';
export { runGit, tryGit, GitError, type GitEnv, type GitResult } from './run.js';
export { scrub } from './scrub.js';
