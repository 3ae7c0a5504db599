import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestMtime, withLock } from '../../../../../scripts/build.mjs';

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const distDir = path.join(webRoot, 'dist');

const INPUTS = [
  path.join(webRoot, 'src'),
  path.join(webRoot, 'index.html'),
  path.join(webRoot, 'vite.config.ts'),
  path.join(webRoot, '..', 'protocol', 'src'),
  path.join(webRoot, '..', 'client', 'src'),
];

function isFresh(): boolean {
  const index = path.join(distDir, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestMtime(INPUTS);
}

/**
 * Builds the SPA into dist when it is missing or older than its sources, so the e2e tests
 * always exercise the current code. Test files run in parallel workers: a lock directory makes
 * one of them build while the others wait.
 */
export async function ensureBuilt(): Promise<void> {
  if (isFresh()) return;
  await withLock(
    path.join(webRoot, '.build-lock'),
    async () => {
      if (isFresh()) return;
      execFileSync(
        process.execPath,
        [path.join(webRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
        {
          cwd: webRoot,
          // Vitest sets NODE_ENV=test, and Vite builds React's development bundle for anything but
          // production: the UI `nightshift up` serves after a test run would be several times slower.
          env: { ...process.env, NODE_ENV: 'production' },
          stdio: 'pipe',
          timeout: 120_000,
        },
      );
      // What users are served must be React's production build (see NODE_ENV above).
      const assets = path.join(distDir, 'assets');
      for (const name of readdirSync(assets).filter((n) => n.endsWith('.js')))
        if (readFileSync(path.join(assets, name), 'utf8').includes('jsxDEV'))
          throw new Error(`${name} is a development build of the web UI`);
      // Longer than the build may take (its timeout above), so a slow build is never taken over.
    },
    150_000,
  );
}
