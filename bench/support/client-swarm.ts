// A share of the benchmark's WebSocket clients in their own process, so the clients are not the
// bottleneck being measured: `tsx client-swarm.ts <wsUrl> <clients> <count> <warmup> <latencyFile>`.
// Prints READY once every socket is open. When every client has every event (or on SIGTERM) it
// writes each receipt's latency (ms, float64) to <latencyFile> and prints one JSON summary line.
// The first <warmup> events each client gets are counted but their latency is not recorded: both
// ends start cold (code not yet optimised, the clients' too), which is not the steady state.
import { writeFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { wallNow } from './machine.js';

const [url, clientsArg, countArg, warmupArg, latencyFile] = process.argv.slice(2);
const clients = Number(clientsArg);
const count = Number(countArg);
const warmup = Number(warmupArg);
const DELTA = /"delta":"([^"]*)"/;

// Preallocated: growing an array of a million numbers while receiving would cost the clients
// time (and garbage collection pauses) that shows up as latency.
const latencies = new Float64Array(clients * count);
let recorded = 0;
const received = new Array<number>(clients).fill(0);
let finished = 0;
let lastReceipt = 0;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function report(): void {
  writeFileSync(latencyFile!, latencies.subarray(0, recorded));
  process.stdout.write(`${JSON.stringify({ finished, lastReceipt, recorded, cpuMs: cpuMs() })}\n`, () =>
    process.exit(0),
  );
}

const sockets = await Promise.all(
  Array.from(
    { length: clients },
    (_, i) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url!);
        ws.on('message', (data) => {
          const m = DELTA.exec(data.toString());
          if (!m) return;
          const now = wallNow();
          // A stored event may hold several coalesced deltas, each stamped when it was emitted.
          for (const stamp of m[1]!.split(';')) {
            if (!stamp) continue;
            if (received[i]! >= warmup && recorded < latencies.length)
              latencies[recorded++] = now - Number(stamp);
            received[i]! += 1;
          }
          if (received[i] === count) {
            lastReceipt = now;
            if (++finished === clients) report();
          }
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      }),
  ),
);
process.stdout.write('READY\n');

// The parent gives up after a while; report what arrived so far.
process.on('SIGTERM', () => {
  for (const s of sockets) s.terminate();
  report();
});
