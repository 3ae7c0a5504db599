/**
 * Sandbox start: from a prompt accepted on a fresh session to `sandbox_ready` and to the first
 * agent event, per phase, next to the same steps done by hand (git clone, `opencode serve` until
 * healthy, a first prompt straight to OpenCode) measured in the same run, runs interleaved.
 *
 *   npm run bench:sandbox        (or: node --import tsx bench/sandbox-start.ts)
 *   BENCH_RUNS=5 for more runs (default 3); medians are reported.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { NightshiftClient } from '@nightshift/client';
import { DEMO_MODEL_ID, demoResponder, startModelServer } from '@nightshift/testkit';
import { buildOpenCodeConfig, resolveOpenCodeBinary } from '../packages/sandbox/src/opencode/index.js';
import { openCodeEnvironment } from '../packages/sandbox/src/opencode/server-process.js';
import { startServer } from '../packages/server/src/server.js';
import { machineLine } from './support/machine.js';
import { ensureBuilt } from '../scripts/build.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MODEL = `openai-compatible/${DEMO_MODEL_ID}`;
const PROMPT = 'Write the demo file.';

type Marks = Record<string, number>;

await ensureBuilt(); // the sandboxes run the compiled supervisor
const model = await startModelServer({ respond: demoResponder, models: [DEMO_MODEL_ID] });
const repo = makeRepository();

async function nightshiftRun(server: Awaited<ReturnType<typeof startServer>>): Promise<Marks> {
  const client = new NightshiftClient({ baseUrl: server.url, WebSocket });
  const session = await client.createSession({ repo, title: 'bench' });
  const marks: Marks = {};
  let failure: Error | null = null;
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve) => (opened = resolve));
  const follow = client.follow(session.id, {
    onState: (state) => state === 'open' && opened(),
    onEvent: (event) => {
      const at = performance.now();
      const data = event.data as Record<string, unknown>;
      if (event.type === 'sandbox_status' && typeof data.phase === 'string') {
        marks[`phase ${data.phase} (reported)`] = Number(data.durationMs);
      } else if (event.type === 'sandbox_ready') {
        marks['to sandbox_ready'] = at - marks.accepted!;
      } else if (event.type === 'sandbox_event' && marks['to first agent event'] === undefined) {
        marks['to first agent event'] = at - marks.accepted!;
      } else if (event.type === 'sandbox_error') {
        failure = new Error(`sandbox error: ${JSON.stringify(data)}`);
        return true;
      } else if (event.type === 'prompt_completed') {
        marks['to prompt completed'] = at - marks.accepted!;
        if (data.outcome !== 'completed')
          failure = new Error(`prompt ${String(data.outcome)}: ${data.error}`);
        return true;
      }
    },
  });
  await open;
  const sent = performance.now();
  await client.prompt(session.id, { text: PROMPT, author: { name: 'Bench', email: 'bench@example.com' } });
  marks.accepted = performance.now();
  marks['accept (HTTP)'] = marks.accepted - sent;
  await follow.done;
  if (failure) throw failure;
  // Archiving releases the sandbox, so every run starts fresh.
  await client.archive(session.id);
  delete marks.accepted;
  return marks;
}

/** The same steps a person would do by hand: clone, start OpenCode, wait for health, prompt it. */
async function byHandRun(): Promise<Marks> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-hand-'));
  const marks: Marks = {};
  try {
    const t0 = performance.now();
    execFileSync('git', ['clone', '-q', '--branch', 'main', repo, path.join(dir, 'ws')]);
    marks['clone'] = performance.now() - t0;

    const password = 'bench-password';
    const settings = {
      defaultModel: MODEL,
      openaiCompatible: { baseUrl: model.baseUrl, models: [DEMO_MODEL_ID] },
    };
    const env = openCodeEnvironment({
      cwd: path.join(dir, 'ws'),
      stateDir: path.join(dir, 'state'),
      password,
      config: buildOpenCodeConfig(settings),
    });
    for (const name of ['home', 'config', 'data', 'cache', 'state'])
      mkdirSync(path.join(dir, 'state', name), { recursive: true });
    const port = 20000 + Math.floor(Math.random() * 20000);
    const t1 = performance.now();
    const child = spawn(resolveOpenCodeBinary(), ['serve', '--hostname=127.0.0.1', `--port=${port}`], {
      cwd: path.join(dir, 'ws'),
      env,
      stdio: 'ignore',
      detached: true,
    });
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Basic ${Buffer.from(`opencode:${password}`).toString('base64')}` };
    try {
      for (;;) {
        // OpenCode accepts connections before it can answer: a request may wait, so bound each.
        const ok = await fetch(`${base}/global/health`, { headers, signal: AbortSignal.timeout(250) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      marks['opencode healthy'] = performance.now() - t1;
      marks['clone + opencode healthy'] = performance.now() - t0;

      const t2 = performance.now();
      const created = (await (
        await fetch(`${base}/session`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: '{}',
        })
      ).json()) as { id: string };
      const events = await fetch(`${base}/event`, { headers });
      const reader = events.body!.getReader();
      await fetch(`${base}/session/${created.id}/prompt_async`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: { providerID: 'openai-compatible', modelID: DEMO_MODEL_ID },
          parts: [{ type: 'text', text: PROMPT }],
        }),
      });
      // The demo model's first action is a tool call; it is also the first agent event our
      // timeline shows, so both sides stop the clock at the same point.
      const decoder = new TextDecoder();
      let buffer = '';
      let seen = false;
      while (!seen) {
        const { value, done } = await reader.read();
        if (done) throw new Error('OpenCode closed its event stream');
        buffer += decoder.decode(value, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          if (!line.startsWith('data:')) continue;
          const event = JSON.parse(line.slice(5)) as {
            type: string;
            properties?: { part?: { type?: string } };
          };
          if (event.type === 'message.part.updated' && event.properties?.part?.type === 'tool') seen = true;
        }
      }
      marks['first agent event after healthy'] = performance.now() - t2;
      marks['to first agent event'] = performance.now() - t0;
      await reader.cancel();
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return marks;
}

function makeRepository(): string {
  // A small but real project: a few hundred files, so the clone is not free.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-repo-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  for (let i = 0; i < 300; i++) {
    const sub = path.join(dir, 'src', `m${i % 20}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(
      path.join(sub, `file${i}.ts`),
      `export const value${i} = ${i};\n`.repeat(40) + `// ${'x'.repeat(400)}\n`,
    );
  }
  writeFileSync(path.join(dir, 'README.md'), '# bench project\n');
  git('add', '.');
  git('-c', 'user.name=B', '-c', 'user.email=b@example.com', 'commit', '-q', '-m', 'init');
  return dir;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function summarise(runs: Marks[]): Record<string, number> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(
    keys.map((k) => [k, median(runs.map((r) => r[k]).filter((v) => v !== undefined) as number[])]),
  );
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-data-'));
const server = await startServer({
  dataDir,
  port: 0,
  logLevel: 'warn',
  model: MODEL,
  openaiCompatible: { baseUrl: model.baseUrl, apiKey: null },
  killSandboxesOnClose: true,
});

console.log(machineLine());
console.log(
  `load average at start: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const hand: Marks[] = [];
const ours: Marks[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first, so neither always gets the warmer caches.
    if (i % 2 === 0) {
      hand.push(await byHandRun());
      ours.push(await nightshiftRun(server));
    } else {
      ours.push(await nightshiftRun(server));
      hand.push(await byHandRun());
    }
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
  }
} finally {
  await server.close();
  await model.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
}

const h = summarise(hand);
const n = summarise(ours);
const ms = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(0)} ms`);
console.log(`\nmedians of ${RUNS} fresh starts (300-file repository, scripted demo model):`);
console.log('\nby hand (baseline):');
for (const [k, v] of Object.entries(h)) console.log(`  ${k.padEnd(36)} ${ms(v)}`);
console.log('\nnightshift (prompt accepted → …):');
for (const [k, v] of Object.entries(n)) console.log(`  ${k.padEnd(36)} ${ms(v)}`);
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
console.log('\nratios (nightshift / by hand):');
console.log(
  `  sandbox_ready vs clone + opencode healthy   ${ratio(n['to sandbox_ready'], h['clone + opencode healthy'])}`,
);
console.log(
  `  first agent event vs by hand               ${ratio(n['to first agent event'], h['to first agent event'])}`,
);
console.log(
  `load average at end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
process.exit(0);
