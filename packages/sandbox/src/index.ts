/**
 * @nightshift/sandbox — the runtime inside a sandbox. The process entry point is `main.ts`; this
 * module exports the parts for the control plane's tests and tools.
 */
export * from './supervisor/index.js';
export * from './bridge/index.js';
export * from './git/index.js';
export * from './opencode/index.js';
