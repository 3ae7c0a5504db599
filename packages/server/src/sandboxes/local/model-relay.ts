/**
 * A sandbox's own model proxy, host side: the control plane's proxy (`models/proxy.ts`) on a Unix
 * socket in the session's door directory (bound into the sandbox, served there on its loopback by
 * the supervisor). The network launcher runs it beside slirp4netns for as long as the sandbox
 * lives, so a model reply keeps streaming, and a prompt can end, while the control plane
 * restarts. It adds the real keys, which never enter the sandbox, and journals each call's usage
 * in the session's directory for the control plane to book (`models/usage-journal.ts`).
 *
 *   node model-relay.js <socket> <session dir>       settings in NIGHTSHIFT_MODEL_RELAY_SETTINGS
 *
 * It writes one byte to stdout once it listens.
 */
import { chmodSync, rmSync } from 'node:fs';
import http from 'node:http';
import pino from 'pino';
import { createLogger } from '../../log.js';
import { createModelProxy, MODEL_PROXY_PREFIX } from '../../models/proxy.js';
import { decodeRelaySettings, RELAY_SETTINGS_VARIABLE } from '../../models/relay-settings.js';
import { JournalBookkeeper } from '../../models/usage-journal.js';

const [socketPath, sessionDir] = process.argv.slice(2);
const settingsText = process.env[RELAY_SETTINGS_VARIABLE];
if (!socketPath || !sessionDir || !settingsText) {
  console.error(`usage: ${RELAY_SETTINGS_VARIABLE}=… model-relay <socket> <session dir>`);
  process.exit(2);
}
delete process.env[RELAY_SETTINGS_VARIABLE];
const settings = decodeRelaySettings(settingsText);
// stdout is the launcher's readiness pipe, read once: the log goes to the sandbox's log file.
const log = createLogger('warn', pino.destination(2));
const proxy = createModelProxy({
  upstreams: settings.upstreams,
  sessionForCredential: (credential) => (credential === settings.credential ? settings.sessionId : undefined),
  ledger: new JournalBookkeeper(settings.sessionId, sessionDir),
  log,
});
const server = http.createServer((req, res) => {
  if (!(req.url ?? '').startsWith(MODEL_PROXY_PREFIX)) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
    return;
  }
  proxy(req, res).catch((err: unknown) => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'model relay: request failed');
    res.destroy();
  });
});
rmSync(socketPath, { force: true });
server.listen(socketPath, () => {
  // The sandbox runs as its own uid: what keeps others out is the door directory's place.
  chmodSync(socketPath, 0o666);
  process.stdout.write('1');
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
