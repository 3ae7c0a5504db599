// Compiles the Node packages' TypeScript (src/) to JavaScript (dist/), file by file, so that the
// server, the CLI and every sandbox start on plain Node instead of paying for a TypeScript loader
// on each of their hundreds of module loads (about a second for the server, half for a sandbox).
//
//   node scripts/build.mjs          build now
//   ensureBuilt()                   build only when a source is newer than the last build
//
// dist/ mirrors src/ at the same depth, so paths computed from import.meta.url hold in both.
import { mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGES = ['protocol', 'client', 'testkit', 'server', 'sandbox', 'cli'];
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'nightshift-build');
const STAMP = path.join(CACHE, 'stamp');
const LOCK = path.join(CACHE, 'lock');

/** Builds when dist/ is missing or older than a source; safe to call from several processes at once. */
export async function ensureBuilt() {
  if (isFresh()) return false;
  mkdirSync(CACHE, { recursive: true });
  // A build takes about a second: a lock a minute old was left by a builder that died.
  await withLock(LOCK, async () => {
    if (!isFresh()) await build();
  });
  return true;
}

export async function build() {
  const started = Date.now();
  const { build: esbuild } = await import('esbuild');
  for (const name of PACKAGES) {
    const pkg = path.join(ROOT, 'packages', name);
    const src = path.join(pkg, 'src');
    const dist = path.join(pkg, 'dist');
    const result = await esbuild({
      entryPoints: sourcesOf(src),
      outdir: dist,
      outbase: src,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'error',
    });
    // Each file replaced in one step, and files of deleted sources removed afterwards: a process
    // loading dist/ while another builds never sees a half-written or missing module.
    const written = new Set();
    for (const file of result.outputFiles) {
      mkdirSync(path.dirname(file.path), { recursive: true });
      const temp = `${file.path}.${process.pid}.tmp`;
      writeFileSync(temp, file.contents);
      renameSync(temp, file.path);
      written.add(file.path);
    }
    removeOthers(dist, written);
  }
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return Date.now() - started;
}

function isFresh() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return false;
  }
  // Directories count too: deleting or renaming a source changes its directory's mtime.
  const inputs = [
    fileURLToPath(import.meta.url),
    ...PACKAGES.map((name) => path.join(ROOT, 'packages', name, 'src')),
  ];
  return newestMtime(inputs) <= built;
}

/** The newest modification time of these files and of everything under these directories (0 for none). */
export function newestMtime(entries) {
  let newest = 0;
  for (const entry of entries) {
    const stat = statSync(entry, { throwIfNoEntry: false });
    if (!stat) continue;
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory())
      newest = Math.max(newest, newestMtime(readdirSync(entry).map((child) => path.join(entry, child))));
  }
  return newest;
}

function sourcesOf(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourcesOf(full));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function removeOthers(dir, keep) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removeOthers(full, keep);
      try {
        rmdirSync(full); // only when now empty
      } catch {
        // still has files
      }
    } else if (!keep.has(full)) rmSync(full, { force: true });
  }
}

/**
 * Runs `fn` holding a lock directory: mkdir is atomic, so of several processes one runs while the
 * others wait for the directory to go. A holder that died leaves its lock behind: one older than
 * `staleAfterMs`, longer than `fn` can take, is taken over.
 */
export async function withLock(lock, fn, staleAfterMs = 60_000) {
  for (let waited = 0; ; waited += 50) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > staleAfterMs) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (waited > 2 * staleAfterMs)
        throw new Error(`timed out waiting for another build to finish (${lock})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ms = await build();
  console.log(`built ${PACKAGES.map((p) => `packages/${p}`).join(', ')} in ${ms} ms`);
}
