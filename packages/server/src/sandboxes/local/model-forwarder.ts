/**
 * A sandbox's way to a model endpoint on the host's loopback (Ollama, vLLM, a test's scripted
 * server), now that slirp4netns keeps the rest of the host's loopback from it: a Unix socket in
 * the session's door directory (bound into the sandbox) piped to that one host:port and nowhere
 * else. The network launcher runs it on the host side, beside slirp4netns, for as long as the
 * sandbox lives: a model reply keeps streaming while the control plane restarts.
 *
 *   node model-forwarder.js <socket> <host> <port>
 *
 * It writes one byte to stdout once it listens.
 */
import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const [socketPath, host, port] = process.argv.slice(2);
if (!socketPath || !host || !port) {
  console.error('usage: model-forwarder <socket> <host> <port>');
  process.exit(2);
}

const server = createServer((client) => {
  const upstream = connect(Number(port), host);
  client.pipe(upstream).pipe(client);
  // Either end going away ends the other: the model client retries on its own.
  client.once('error', () => upstream.destroy());
  upstream.once('error', () => client.destroy());
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
});
rmSync(socketPath, { force: true });
server.listen(socketPath, () => {
  // The sandbox runs as its own uid: what keeps others out is the door directory's place.
  chmodSync(socketPath, 0o666);
  process.stdout.write('1');
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
