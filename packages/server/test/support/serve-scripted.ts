// A control plane in its own process, for restart tests: `tsx serve-scripted.ts <dataDir> <port> <mode>`.
// mode "hang": prompts run until the process dies; mode "complete": prompts complete at once.
import { startServer } from '../../src/server.js';
import { ScriptedRunner } from './scripted-runner.js';

const [dataDir, port, mode] = process.argv.slice(2);
const runner = new ScriptedRunner({ autoComplete: mode === 'complete', deltas: ['working', ' on it'] });
const server = await startServer({
  dataDir,
  port: Number(port),
  runner,
  model: 'test/model',
  logLevel: 'silent',
});
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
process.stdout.write(`READY ${server.url}\n`);
