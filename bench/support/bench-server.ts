// The real control plane in its own process, with the load runner: `tsx bench-server.ts <dataDir>`.
// SIGTERM exits cleanly, so `node --cpu-prof` (BENCH_PROFILE) gets to write its profile.
import { startServer } from '../../packages/server/src/server.js';
import { LoadRunner } from './load-runner.js';

const server = await startServer({
  dataDir: process.argv[2],
  port: 0,
  runner: new LoadRunner(),
  model: 'bench/load',
  logLevel: 'warn',
  maxBufferedBytes: 64 * 1024 * 1024,
});
process.on('SIGTERM', () => process.exit(0));
process.stdout.write(`READY ${server.url}\n`);
