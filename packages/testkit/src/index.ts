export * from './model-server/index.js';
export * from './git-http/index.js';
export * from './oidc-issuer/index.js';
export * from './github/index.js';
