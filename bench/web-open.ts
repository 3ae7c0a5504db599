/**
 * How long a long session takes to open in the web UI: a session with 20,000 events (text deltas
 * with a tool call every 50), from navigating to /sessions/:id until its last words are on screen,
 * in real Chromium against the real control plane. The baseline, in the same browser and run, is
 * the least any client must do: fetch the same events over REST, parse them and show the last one.
 *
 *   npm run bench:web            (or: node --import tsx bench/web-open.ts)
 *
 * Knobs: BENCH_EVENTS (20000), BENCH_RUNS (5, medians reported). Needs the built web UI
 * (`npm run setup`) and Chromium at /usr/bin/chromium (or NIGHTSHIFT_CHROMIUM).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { NightshiftClient } from '@nightshift/client';
import { startServer } from '../packages/server/src/server.js';
// The web e2e tests' stand-in for a sandbox: `many:N` writes the same long timeline they open.
import { HeldRunner } from '../packages/web/test/e2e/support/held-runner.js';
import { loadLine, machineLine } from './support/machine.js';

const LAST_WORDS = 'The end of a long answer.';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CHROMIUM = process.env.NIGHTSHIFT_CHROMIUM ?? '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.resolve(here, '..', 'packages', 'web', 'dist');

if (!existsSync(path.join(webRoot, 'index.html'))) {
  console.error(`no built web UI in ${webRoot}: run \`npm run setup\` first`);
  process.exit(1);
}

console.log(machineLine());
console.log(`load average at start: ${loadLine()}`);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-web-'));
const server = await startServer({
  port: 0,
  dataDir,
  runner: new HeldRunner(),
  model: 'bench/none', // the runner stands in for the agent; a session needs a model to accept prompts
  logDestination: { write: () => true },
});
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

try {
  const t0 = performance.now();
  const sessionId = await longSession();
  console.log(
    `session with ${EVENTS.toLocaleString('en')} events stored in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  const context = await browser.newContext();
  await context.addInitScript(() =>
    localStorage.setItem(
      'nightshift.identity',
      JSON.stringify({ name: 'Bench', email: 'bench@example.com' }),
    ),
  );
  const page = await context.newPage();
  // The bundle is cached before timing: what is measured is the session, not the download.
  await page.goto(server.url);

  const ui: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order = run % 2 === 0 ? [openInUi, fetchBare] : [fetchBare, openInUi];
    for (const measure of order) (measure === openInUi ? ui : bare).push(await measure(page, sessionId));
  }
  const mUi = median(ui);
  const mBare = median(bare);
  console.log(`\nmedians of ${RUNS} opens of a session with ${EVENTS.toLocaleString('en')} events:`);
  console.log(`  web UI: navigate → last words on screen      ${mUi.toFixed(0)} ms`);
  console.log(`  baseline: fetch all events over REST, parse,`);
  console.log(`            show the last one (same page)       ${mBare.toFixed(0)} ms`);
  console.log(`  ratio (web UI / baseline)                     ${(mUi / mBare).toFixed(2)}×`);
  console.log(
    `  all runs: UI ${ui.map((t) => t.toFixed(0)).join(', ')} · baseline ${bare.map((t) => t.toFixed(0)).join(', ')}`,
  );
  console.log(`load average at end: ${loadLine()}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}

async function longSession(): Promise<string> {
  const client = new NightshiftClient({ baseUrl: server.url });
  const { id } = await client.createSession({ repo: await makeRepo(), title: 'Long session' });
  await client.prompt(id, {
    text: `many:${EVENTS - 1}`,
    author: { name: 'Bench', email: 'bench@example.com' },
  });
  for (;;) {
    const [message] = await client.messages(id);
    if (message?.status === 'completed') return id;
    if (message && !['queued', 'running'].includes(message.status))
      throw new Error(`the long prompt ended ${message.status}: ${message.error ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function makeRepo(): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  const repo = path.join(dataDir, 'repo');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  execFileSync('git', [
    '-C',
    repo,
    '-c',
    'user.name=B',
    '-c',
    'user.email=b@x.io',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'init',
  ]);
  return repo;
}

async function openInUi(page: Page, sessionId: string): Promise<number> {
  const started = performance.now();
  await page.goto(`${server.url}/sessions/${sessionId}`);
  await page.getByRole('log', { name: 'Timeline' }).getByText(LAST_WORDS).waitFor();
  const elapsed = performance.now() - started;
  await page.goto(server.url); // leave, so the next open starts from nothing
  return elapsed;
}

async function fetchBare(page: Page, sessionId: string): Promise<number> {
  // A navigation too, to a page with nothing on it, as the UI's open starts with one.
  const started = performance.now();
  await page.goto(`${server.url}/api/health`);
  const inPage = await page.evaluate(async (id) => {
    const started = performance.now();
    let after = 0;
    let last = '';
    for (;;) {
      const res = await fetch(`/api/sessions/${id}/events?after=${after}&limit=10000`);
      const { events } = (await res.json()) as { events: Array<{ seq: number; data: { delta?: string } }> };
      if (events.length === 0) break;
      after = events[events.length - 1]!.seq;
      last = events.findLast((e) => e.data.delta)?.data.delta ?? last;
    }
    const div = document.createElement('div');
    div.textContent = last;
    document.body.append(div);
    await new Promise((r) => requestAnimationFrame(r));
    return performance.now() - started;
  }, sessionId);
  void inPage;
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
