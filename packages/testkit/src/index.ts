export * from './model-server/index.js';
export * from './git-http/index.js';
