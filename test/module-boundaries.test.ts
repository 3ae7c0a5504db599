// Which package and which folder may import which. The layering is written down here as data
// (docs/architecture.md explains it), and every source import is checked against it, so a
// shortcut through a layer fails the suite instead of quietly becoming the design.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Workspace packages a package's src/ may import. Tests may import anything. */
const PACKAGES: Record<string, string[]> = {
  protocol: [],
  client: ['protocol'],
  testkit: [],
  sandbox: ['protocol'],
  server: ['protocol'],
  cli: ['protocol', 'client', 'server', 'testkit'],
  web: ['protocol', 'client'],
};

/**
 * Inside packages/server/src: the folders (and top-level modules) each area may import. The
 * domain (sessions, store, scm, host) knows nothing of HTTP; the edges (api, realtime, http) map
 * domain results to the wire; server.ts and index.ts wire everything together.
 */
const SERVER_AREAS: Record<string, string[]> = {
  ids: [],
  log: [],
  config: ['host', 'models'],
  'data-dir': ['config'],
  host: [],
  store: ['log', 'ids'],
  scm: ['log'],
  sessions: ['store', 'scm', 'log', 'ids'],
  // Who may do what (people, browser sessions, API tokens, sign-in providers, allowed repositories).
  auth: ['sessions', 'store', 'config', 'log', 'ids'],
  // Encrypted secrets and how they reach a sandbox.
  secrets: ['auth', 'sessions', 'store', 'config', 'log', 'ids'],
  // The model proxy, token and cost accounting, budgets.
  models: ['auth', 'sessions', 'store', 'config', 'log', 'ids'],
  // The GitHub App: installation tokens, installed repositories, pull requests, webhooks.
  github: ['auth', 'secrets', 'sessions', 'store', 'scm', 'config', 'log', 'ids'],
  sandboxes: ['sessions', 'secrets', 'models', 'github', 'store', 'scm', 'host', 'log', 'ids', 'config'],
  realtime: ['sessions', 'auth', 'log', 'ids'],
  api: ['sessions', 'realtime', 'auth', 'secrets', 'models', 'github', 'config', 'log'],
  web: [],
  http: ['api', 'realtime', 'sessions', 'sandboxes', 'scm', 'auth', 'models', 'github', 'config', 'log'],
  server: ['*'],
  index: ['*'],
};

interface Import {
  from: string;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => ({ from: file, specifier: f.fileName }));
}

function packageSources(name: string): string[] {
  return sourceFiles(path.join(ROOT, 'packages', name, 'src'));
}

/** The area of a file under packages/server/src: its first folder, or its own name at the top. */
function serverArea(file: string): string {
  const rel = path.relative(path.join(ROOT, 'packages', 'server', 'src'), file);
  const [first] = rel.split(path.sep);
  return rel.includes(path.sep) ? first! : first!.replace(/\.(tsx?|js)$/, '');
}

describe('module boundaries', () => {
  it('knows every package in the workspace', () => {
    const present = readdirSync(path.join(ROOT, 'packages')).sort();
    expect(present).toEqual(Object.keys(PACKAGES).sort());
  });

  for (const [name, allowed] of Object.entries(PACKAGES)) {
    it(`packages/${name}/src imports only ${allowed.length ? allowed.join(', ') : 'no workspace package'}`, () => {
      const offending = packageSources(name)
        .flatMap(importsOf)
        .filter(({ specifier }) => specifier.startsWith('@nightshift/'))
        .filter(({ specifier }) => !allowed.includes(specifier.split('/')[1]!))
        .map(({ from, specifier }) => `${path.relative(ROOT, from)} imports ${specifier}`);
      expect(offending).toEqual([]);
    });
  }

  it('no package reaches into another package by a relative path', () => {
    const offending = Object.keys(PACKAGES).flatMap((name) =>
      packageSources(name)
        .flatMap(importsOf)
        .filter(({ from, specifier }) => {
          if (!specifier.startsWith('.')) return false;
          const target = path.resolve(path.dirname(from), specifier);
          return !target.startsWith(path.join(ROOT, 'packages', name) + path.sep);
        })
        .map(({ from, specifier }) => `${path.relative(ROOT, from)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('inside the server, each area imports only the areas beneath it', () => {
    const files = packageSources('server');
    const unknown = [...new Set(files.map(serverArea))].filter((area) => !(area in SERVER_AREAS));
    expect(unknown, 'a new folder in packages/server/src needs its place in SERVER_AREAS').toEqual([]);
    const offending = files.flatMap((file) => {
      const area = serverArea(file);
      const allowed = SERVER_AREAS[area] ?? [];
      return importsOf(file)
        .filter(({ specifier }) => specifier.startsWith('.'))
        .map(({ specifier }) => serverArea(path.resolve(path.dirname(file), specifier)))
        .filter((target) => target !== area && !allowed.includes('*') && !allowed.includes(target))
        .map((target) => `${path.relative(ROOT, file)} (${area}) imports ${target}`);
    });
    expect(offending).toEqual([]);
  });

  it('the domain never imports the HTTP framework', () => {
    const domain = ['sessions', 'store', 'scm', 'sandboxes', 'host', 'auth', 'secrets', 'models'];
    const offending = packageSources('server')
      .filter((file) => domain.includes(serverArea(file)))
      .flatMap(importsOf)
      .filter(({ specifier }) => /^(hono|@hono\/)/.test(specifier))
      .map(({ from, specifier }) => `${path.relative(ROOT, from)} imports ${specifier}`);
    expect(offending).toEqual([]);
  });
});
