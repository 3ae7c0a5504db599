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
export const PACKAGES = ['protocol', 'testkit', 'server', 'sandbox', 'cli'];
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'nightshift-build');
const STAMP = path.join(CACHE, 'stamp');
const LOCK = path.join(CACHE, 'lock');

/** Builds when dist/ is missing or older than a source; safe to call from several processes at once. */
export async function ensureBuilt() {
  if (isFresh()) return false;
  mkdirSync(CACHE, { recursive: true });
  await withLock(async () => {
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
  return inputs.every((input) => newestMtime(input) <= built);
}

function newestMtime(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
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

/** mkdir is atomic: whoever makes the lock directory builds; the others wait for it to go. */
async function withLock(fn) {
  for (let waited = 0; ; waited += 50) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A builder that died leaves its lock: a build takes about a second, so a minute is plenty.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > 60_000) {
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (waited > 120_000) throw new Error(`timed out waiting for another build to finish (${LOCK})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ms = await build();
  console.log(`built ${PACKAGES.map((p) => `packages/${p}`).join(', ')} in ${ms} ms`);
}
