/**
 * "Create pull request": time from `POST /api/sessions/:id/pull-request` to the pull request
 * existing on the (testkit) GitHub server, against the bare REST calls a script would make for
 * the same thing (Octokit with the same App installation: compare base...head, then pulls.create)
 * in the same run, runs interleaved. Each run uses a fresh session whose branch carries one commit
 * pushed straight into the bare repository, as the agent's push leaves it. Medians and p90 of
 * BENCH_RUNS (default 30) per side.
 *
 *   npm run bench:pr          (or: node --import tsx bench/pull-request.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '@octokit/app';
import { Octokit } from '@octokit/rest';
import { NightshiftClient } from '@nightshift/client';
import { startGitHubServer } from '@nightshift/testkit';
import { startServer } from '@nightshift/server';
import { loadLine, machineLine, percentile } from './support/machine.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;
const OWNER = 'acme';
const NAME = 'app';

const github = await startGitHubServer({
  users: [{ login: 'ada', id: 101, name: 'Ada Lovelace', email: 'ada@acme.test' }],
});
const app = github.createApp({ slug: 'nightshift-bench' });
await github.createRepo({ owner: OWNER, name: NAME, files: { 'README.md': '# app\n' } });
github.installApp({ owner: OWNER, repos: [NAME] });

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-pr-'));
const server = await startServer({
  port: 0,
  dataDir,
  logLevel: 'silent',
  model: null,
  killSandboxesOnClose: true,
  github: { appId: app.id, privateKey: app.privateKey, webhookSecret: app.webhookSecret },
  auth: {
    github: { clientId: null, clientSecret: null, apiUrl: github.apiUrl, webUrl: github.url },
  },
});
const client = new NightshiftClient({ baseUrl: server.url });

// The same App, straight: what a script holding the App's key would call.
const bare = new App({
  appId: app.id,
  privateKey: app.privateKey,
  Octokit: Octokit.defaults({ baseUrl: github.apiUrl }),
});
const { data: installation } = await bare.octokit.request('GET /repos/{owner}/{repo}/installation', {
  owner: OWNER,
  repo: NAME,
});
const installed = (await bare.getInstallationOctokit(installation.id)) as unknown as Octokit;

// A working copy of the bare repository, to push each run's branch with one commit on it.
const work = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-pr-work-'));
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: work,
    stdio: 'pipe',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
git('clone', '-q', github.repoDir(OWNER, NAME), '.');
git('config', 'user.name', 'Ada Lovelace');
git('config', 'user.email', 'ada@acme.test');
const base = git('rev-parse', '--abbrev-ref', 'HEAD').toString().trim();

function pushBranch(branch: string): void {
  git('checkout', '-q', '-B', branch, `origin/${base}`);
  writeFileSync(path.join(work, 'change.txt'), `${branch}\n`);
  git('add', 'change.txt');
  git('commit', '-q', '-m', `Change on ${branch}`);
  git('push', '-q', 'origin', `${branch}:refs/heads/${branch}`);
}

const openOn = (branch: string) => github.pulls(OWNER, NAME).some((p) => p.head === branch);

async function throughNightshift(): Promise<number> {
  const session = await client.createSession({ repo: `${OWNER}/${NAME}` });
  pushBranch(session.branch);
  const started = performance.now();
  await client.createPullRequest(session.id, {});
  const ms = performance.now() - started;
  if (!openOn(session.branch)) throw new Error(`no pull request for ${session.branch} on the GitHub server`);
  return ms;
}

let bareRun = 0;
async function bareRest(): Promise<number> {
  const branch = `bench/bare-${(bareRun += 1)}`;
  pushBranch(branch);
  const started = performance.now();
  const { data: compare } = await installed.rest.repos.compareCommits({
    owner: OWNER,
    repo: NAME,
    base,
    head: branch,
  });
  if (compare.ahead_by === 0) throw new Error(`${branch} is not ahead of ${base}`);
  await installed.rest.pulls.create({
    owner: OWNER,
    repo: NAME,
    head: branch,
    base,
    title: branch,
    body: '',
  });
  const ms = performance.now() - started;
  if (!openOn(branch)) throw new Error(`no pull request for ${branch} on the GitHub server`);
  return ms;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`.padStart(9);
console.log(machineLine());
console.log(`load at start: ${loadLine()}`);
console.log(`${RUNS} pull requests per side (after ${WARMUP} warm-up each), interleaved`);
for (let i = 0; i < WARMUP; i += 1) {
  await throughNightshift();
  await bareRest();
}
const nightshift: number[] = [];
const direct: number[] = [];
for (let i = 0; i < RUNS; i += 1) {
  nightshift.push(await throughNightshift());
  direct.push(await bareRest());
}
nightshift.sort((a, b) => a - b);
direct.sort((a, b) => a - b);
for (const p of [50, 90]) {
  const [n, d] = [percentile(nightshift, p), percentile(direct, p)];
  console.log(
    `  p${p} create → PR exists   nightshift ${fmt(n)}   bare REST ${fmt(d)}   added ${fmt(n - d)}   ratio ${(n / d).toFixed(2)}`,
  );
}
console.log(`load at end: ${loadLine()}`);

await server.close();
await github.close();
rmSync(dataDir, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
