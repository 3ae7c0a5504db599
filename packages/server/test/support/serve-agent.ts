// A control plane with real sandboxes in its own process, for restart tests:
//   tsx serve-agent.ts <dataDir> <port> <modelBaseUrl> [<StartOptions as JSON>]
// Its sandboxes are left running when it exits (SIGTERM) or dies (SIGKILL), as in production, so
// the next process on the same data dir adopts them.
import { startServer, type StartOptions } from '../../src/server.js';

const [dataDir, port, modelBaseUrl, extra] = process.argv.slice(2);
const options = (extra ? JSON.parse(extra) : {}) as StartOptions;
const server = await startServer({
  model: 'openai-compatible/scripted',
  logLevel: 'warn',
  ...options,
  dataDir,
  port: Number(port),
  openaiCompatible: { baseUrl: modelBaseUrl!, apiKey: null },
});
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
process.stdout.write(`READY ${server.url}\n`);
