import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const distDir = path.join(webRoot, 'dist');

/** Newest modification time under the inputs of the build. */
function newestInput(): number {
  const inputs = [
    path.join(webRoot, 'src'),
    path.join(webRoot, 'index.html'),
    path.join(webRoot, 'vite.config.ts'),
    path.join(webRoot, '..', 'protocol', 'src'),
  ];
  let newest = 0;
  const visit = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of inputs) if (existsSync(p)) visit(p);
  return newest;
}

function isFresh(): boolean {
  const index = path.join(distDir, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestInput();
}

/**
 * Builds the SPA into dist when it is missing or older than its sources, so the e2e tests
 * always exercise the current code. Test files run in parallel workers: a lock directory makes
 * one of them build while the others wait.
 */
export async function ensureBuilt(): Promise<void> {
  if (isFresh()) return;
  const lock = path.join(webRoot, '.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${lock}; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
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
  } finally {
    rmdirSync(lock);
  }
}
