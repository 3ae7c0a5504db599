/**
 * Event fan-out: one session streaming text deltas to 1, 10 and 100 WebSocket clients.
 * Prints events/s sustained, p50/p99 latency from append to client receipt, and the server's
 * RSS, each next to a bare `ws` broadcast loop (no persistence) measured in the same run.
 *
 *   npm run bench -- fanout        (or: node --import tsx bench/fanout.ts)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { machineLine, percentile, rssOf, wallNow } from './support/machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,10,100').split(',').map(Number);
const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 30_000);
const LATENCY_RATE = 1000;
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

interface Target {
  name: string;
  child: ChildProcess;
  /** Connects one client; resolves once it is live. */
  connect(onFrame: (raw: string) => void): Promise<WebSocket>;
  start(count: number, rate: number, control: WebSocket): Promise<void>;
  close(): void;
}

async function spawnReady(script: string, args: string[]): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'support', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
  return { child, address };
}

function openSocket(url: string, onFrame: (raw: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', (d) => onFrame(d.toString()));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function nightshift(): Promise<Target> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-'));
  const { child, address } = await spawnReady('bench-server.ts', [dataDir]);
  const repo = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-repo-'));
  const { execFileSync } = await import('node:child_process');
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  execFileSync(
    'git',
    ['-c', 'user.name=b', '-c', 'user.email=b@example.com', 'commit', '-q', '--allow-empty', '-m', 'i'],
    { cwd: repo },
  );
  const session = (await (
    await fetch(`${address}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ repo }),
    })
  ).json()) as { id: string };
  const wsUrl = `${address.replace('http', 'ws')}/api/sessions/${session.id}/ws`;
  return {
    name: 'nightshift',
    child,
    connect: (onFrame) => openSocket(wsUrl, onFrame),
    async start(count, rate) {
      await fetch(`${address}/api/sessions/${session.id}/prompts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: JSON.stringify({ count, rate }) }),
      });
    },
    close() {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(repo, { recursive: true, force: true });
    },
  };
}

async function bareWs(): Promise<Target> {
  const { child, address } = await spawnReady('bare-ws-server.ts', []);
  return {
    name: 'bare ws',
    child,
    connect: (onFrame) => openSocket(address, onFrame),
    async start(count, rate, control) {
      control.send(JSON.stringify({ count, rate }));
    },
    close: () => child.kill('SIGKILL'),
  };
}

interface Result {
  eventsPerSec: number;
  p50: number;
  p99: number;
  rssMiB: number;
}

const DELTA = /"delta":"([^"]*)"/;

async function run(
  make: () => Promise<Target>,
  clients: number,
  count: number,
  rate: number,
): Promise<Result> {
  const target = await make();
  try {
    const received = new Array<number>(clients).fill(0);
    const latencies: number[] = [];
    let allDone: () => void = () => {};
    const done = new Promise<void>((r) => (allDone = r));
    let finished = 0;
    let lastReceipt = 0;
    const sockets: WebSocket[] = [];
    for (let i = 0; i < clients; i++) {
      sockets.push(
        await target.connect((raw) => {
          const m = DELTA.exec(raw);
          if (!m) return;
          const now = wallNow();
          // A stored event may hold several coalesced deltas, each stamped when it was emitted.
          for (const stamp of m[1]!.split(';')) {
            if (!stamp) continue;
            latencies.push(now - Number(stamp));
            received[i]! += 1;
          }
          if (received[i] === count) {
            lastReceipt = now;
            if (++finished === clients) allDone();
          }
        }),
      );
    }
    const started = wallNow();
    await target.start(count, rate, sockets[0]!);
    const timeout = setTimeout(() => allDone(), 120_000);
    await done;
    clearTimeout(timeout);
    if (finished < clients)
      throw new Error(`${target.name}: only ${finished}/${clients} clients got every event`);
    const rss = await rssOf(target.child.pid!);
    for (const s of sockets) s.terminate();
    latencies.sort((a, b) => a - b);
    return {
      eventsPerSec: count / ((lastReceipt - started) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      rssMiB: rss.peakMiB,
    };
  } finally {
    target.close();
  }
}

function row(label: string, ns: Result, base: Result, field: keyof Result, unit: string, digits = 0): string {
  const ratio = ns[field] / base[field];
  return `  ${label.padEnd(28)} nightshift ${ns[field].toFixed(digits).padStart(9)} ${unit.padEnd(9)} bare ws ${base[
    field
  ]
    .toFixed(digits)
    .padStart(9)} ${unit.padEnd(9)} ratio ${ratio.toFixed(2)}`;
}

console.log('bench: event fan-out (one session, text deltas, WebSocket clients)');
console.log(machineLine());
for (const clients of CLIENTS) {
  // Throughput: as fast as the pipeline goes (fewer events at high fan-out keeps the run short).
  const count = clients >= 100 ? Math.round(THROUGHPUT_EVENTS / 3) : THROUGHPUT_EVENTS;
  const nsMax = await run(nightshift, clients, count, 0);
  const baseMax = await run(bareWs, clients, count, 0);
  // Latency at a steady 1,000 events/s.
  const n = LATENCY_RATE * LATENCY_SECONDS;
  const nsSteady = await run(nightshift, clients, n, LATENCY_RATE);
  const baseSteady = await run(bareWs, clients, n, LATENCY_RATE);
  console.log(`${clients} client(s):`);
  console.log(row(`max events/s (${count} events)`, nsMax, baseMax, 'eventsPerSec', 'ev/s'));
  console.log(row('p50 latency @ max', nsMax, baseMax, 'p50', 'ms', 1));
  console.log(row(`p50 latency @ ${LATENCY_RATE}/s`, nsSteady, baseSteady, 'p50', 'ms', 2));
  console.log(row(`p99 latency @ ${LATENCY_RATE}/s`, nsSteady, baseSteady, 'p99', 'ms', 2));
  console.log(row('server peak RSS @ max', nsMax, baseMax, 'rssMiB', 'MiB', 0));
}
