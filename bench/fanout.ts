/**
 * Event fan-out: one session streaming text deltas to 1, 10 and 100 WebSocket clients.
 * Prints events/s sustained, p50/p99 latency from append to client receipt, server CPU per event
 * and the server's RSS, each next to a bare `ws` broadcast loop (no persistence) measured in the
 * same run, as a ratio. Clients run in processes of their own (bench/support/client-swarm.ts).
 * See bench/README.md for what each figure means.
 *
 *   npm run bench                  (or: node --import tsx bench/fanout.ts)
 *
 * BENCH_CLIENTS=1,10,100  BENCH_EVENTS=30000 (full-speed run)  BENCH_SECONDS=5 (at 1,000/s)
 * BENCH_SWARMS=2 (client processes)  BENCH_PROFILE=<dir> (node --cpu-prof of the Nightshift server)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { NightshiftClient } from '@nightshift/client';
import { cpuMsOf, loadLine, machineLine, percentile, rssOf, wallNow } from './support/machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,10,100').split(',').map(Number);
const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 30_000);
const LATENCY_RATE = 1000;
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 1;
const PROFILE_DIR = process.env.BENCH_PROFILE;
const SWARMS = Number(process.env.BENCH_SWARMS ?? 2);

interface Target {
  name: string;
  child: ChildProcess;
  /** Where clients connect. */
  wsUrl: string;
  start(count: number, rate: number): Promise<void>;
  close(): void;
}

const children = new Set<ChildProcess>();
// A crash of this script must not leave servers or clients behind, spinning on the shared CPU.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

async function spawnReady(script: string, args: string[]): Promise<{ child: ChildProcess; address: string }> {
  // BENCH_PROFILE=<dir>: CPU profiles of the Nightshift server, one per run, for `--cpu-prof`.
  const profile =
    PROFILE_DIR && script === 'bench-server.ts' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', path.join(here, 'support', script), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
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
  const client = new NightshiftClient({ baseUrl: address });
  const session = await client.createSession({ repo });
  const wsUrl = `${address.replace('http', 'ws')}/api/sessions/${session.id}/ws`;
  return {
    name: 'nightshift',
    child,
    wsUrl,
    async start(count, rate) {
      await client.prompt(session.id, { text: JSON.stringify({ count, rate }) });
    },
    close() {
      // A profiled server needs a clean exit to write its profile.
      child.kill(PROFILE_DIR ? 'SIGTERM' : 'SIGKILL');
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
    wsUrl: address,
    async start(count, rate) {
      const control = await openSocket(address, () => {});
      control.send(JSON.stringify({ count, rate }));
      control.close();
    },
    close: () => child.kill('SIGKILL'),
  };
}

interface Result {
  eventsPerSec: number;
  p50: number;
  p99: number;
  rssMiB: number;
  /** Server CPU time (user + system) per event, all clients included. */
  cpuUsPerEvent: number;
}

/** `warmup`: events at the start whose latency is not counted (they still count for events/s). */
async function run(
  make: () => Promise<Target>,
  clients: number,
  count: number,
  rate: number,
  warmup = 0,
): Promise<Result> {
  const target = await make();
  // Clients live in processes of their own (a share each), so the client side is not what is
  // being measured; both targets get the same swarms.
  const swarmCount = Math.min(SWARMS, clients);
  const swarms: Swarm[] = [];
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-lat-'));
  try {
    for (let k = 0; k < swarmCount; k++) {
      const share = Math.floor(clients / swarmCount) + (k < clients % swarmCount ? 1 : 0);
      swarms.push(await spawnSwarm(target.wsUrl, share, count, warmup, path.join(scratch, `${k}.f64`)));
    }
    const cpuBefore = await cpuMsOf(target.child.pid!);
    const started = wallNow();
    await target.start(count, rate);
    const timeout = setTimeout(() => swarms.forEach((w) => w.child.kill('SIGTERM')), 120_000);
    const results = await Promise.all(swarms.map((w) => w.result));
    clearTimeout(timeout);
    const finished = results.reduce((n, r) => n + r.finished, 0);
    if (finished < clients)
      throw new Error(`${target.name}: only ${finished}/${clients} clients got every event`);
    const cpuMs = (await cpuMsOf(target.child.pid!)) - cpuBefore;
    const rss = await rssOf(target.child.pid!);
    const latencies = new Float64Array(results.reduce((n, r) => n + r.latencies.length, 0));
    results.reduce((at, r) => (latencies.set(r.latencies, at), at + r.latencies.length), 0);
    latencies.sort();
    const lastReceipt = Math.max(...results.map((r) => r.lastReceipt));
    return {
      eventsPerSec: count / ((lastReceipt - started) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      rssMiB: rss.peakMiB,
      cpuUsPerEvent: (cpuMs * 1000) / count,
    };
  } finally {
    for (const w of swarms) w.child.kill('SIGKILL');
    target.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface SwarmResult {
  finished: number;
  lastReceipt: number;
  latencies: Float64Array;
}

interface Swarm {
  child: ChildProcess;
  result: Promise<SwarmResult>;
}

/** Starts a client swarm and resolves once all its sockets are open. */
async function spawnSwarm(
  url: string,
  clients: number,
  count: number,
  warmup: number,
  latencyFile: string,
): Promise<Swarm> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(here, 'support', 'client-swarm.ts'),
      url,
      String(clients),
      String(count),
      String(warmup),
      latencyFile,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.add(child);
  let out = '';
  let onReady: () => void = () => {};
  let onFailed: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => ((onReady = resolve), (onFailed = reject)));
  const result = new Promise<SwarmResult>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.startsWith('READY\n')) onReady();
    });
    // 'close', not 'exit': only then has all of its output been read.
    child.on('close', (code) => {
      children.delete(child);
      const json = out.split('\n').find((l) => l.startsWith('{'));
      if (!json) {
        const err = new Error(`client swarm exited ${code} without a result`);
        onFailed(err);
        return reject(err);
      }
      const summary = JSON.parse(json) as Omit<SwarmResult, 'latencies'>;
      // Copied into a buffer of its own: a float64 view needs an aligned offset.
      resolve({ ...summary, latencies: new Float64Array(new Uint8Array(readFileSync(latencyFile)).buffer) });
    });
  });
  result.catch(() => {});
  await ready;
  return { child, result };
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
console.log(`load average at start: ${loadLine()}`);
for (const clients of CLIENTS) {
  // Throughput: as fast as the pipeline goes (fewer events at high fan-out keeps the run short).
  const count = clients >= 100 ? Math.round(THROUGHPUT_EVENTS / 3) : THROUGHPUT_EVENTS;
  const nsMax = await run(nightshift, clients, count, 0);
  const baseMax = await run(bareWs, clients, count, 0);
  // Latency at a steady 1,000 events/s, after a second of warm-up that is not counted.
  const warmup = LATENCY_RATE * WARMUP_SECONDS;
  const n = LATENCY_RATE * LATENCY_SECONDS + warmup;
  const nsSteady = await run(nightshift, clients, n, LATENCY_RATE, warmup);
  const baseSteady = await run(bareWs, clients, n, LATENCY_RATE, warmup);
  console.log(`${clients} client(s):`);
  console.log(row(`max events/s (${count} events)`, nsMax, baseMax, 'eventsPerSec', 'ev/s'));
  console.log(row('p50 latency @ max', nsMax, baseMax, 'p50', 'ms', 1));
  console.log(row(`achieved events/s @ ${LATENCY_RATE}/s`, nsSteady, baseSteady, 'eventsPerSec', 'ev/s'));
  console.log(row(`p50 latency @ ${LATENCY_RATE}/s`, nsSteady, baseSteady, 'p50', 'ms', 2));
  console.log(row(`p99 latency @ ${LATENCY_RATE}/s`, nsSteady, baseSteady, 'p99', 'ms', 2));
  console.log(row(`server CPU/event @ ${LATENCY_RATE}/s`, nsSteady, baseSteady, 'cpuUsPerEvent', 'µs', 0));
  console.log(row('server peak RSS @ max', nsMax, baseMax, 'rssMiB', 'MiB', 0));
}
console.log(`load average at end: ${loadLine()}`);
