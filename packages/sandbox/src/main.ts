/**
 * The sandbox's entry point, started by the control plane's provider inside the sandbox:
 *   node packages/sandbox/dist/main.js   (compiled by scripts/build.mjs)
 * configured entirely by environment variables (packages/sandbox/README.md).
 */
import { readFileSync } from 'node:fs';
import {
  createSecretMasker,
  decodeBridgeEnv,
  SandboxEnvError,
  sandboxEnvSecrets,
  withStdinSecrets,
} from '@nightshift/protocol';
import { BridgeClient } from './bridge/client.js';
import { scrub } from './git/scrub.js';
import { allSecrets, configSecrets, parseSupervisorEnv, type SupervisorConfig } from './supervisor/env.js';
import { createLogger, type Logger } from './supervisor/log.js';
import { watchForOrphaning } from './supervisor/orphan-watch.js';
import { Supervisor } from './supervisor/supervisor.js';
import { forwardPortToSocket } from './supervisor/socket-forwarder.js';

const startedAt = Date.now();

/**
 * Read once, before anything else runs: the credentials the launcher pipes in stay in this
 * process's memory and never enter an environment (`withStdinSecrets`).
 */
const env = withStdinSecrets(process.env, () => readFileSync(0, 'utf8'));

/** Exit codes: 0 after `shutdown`, 2 for an unusable environment, 1 for a crash. */
function main(): void {
  let config: SupervisorConfig;
  try {
    config = parseSupervisorEnv(env);
  } catch (error) {
    const message = error instanceof SandboxEnvError ? error.message : String(error);
    createLogger(sandboxEnvSecrets(env).filter((s) => s.length >= 4))('error', message);
    reportAndWait(message);
    return;
  }
  run(config);
}

function run(config: SupervisorConfig): void {
  const log = createLogger(configSecrets(config), undefined, createSecretMasker(allSecrets(config)));
  // eslint-disable-next-line prefer-const -- the bridge needs the supervisor and the other way round
  let supervisor: Supervisor;
  const bridge = new BridgeClient({
    url: config.bridge.url,
    token: config.bridge.token,
    sandboxId: config.sandboxId,
    heartbeatMs: config.heartbeatMs,
    runningMessageId: () => supervisor.runningMessageId,
    onCommand: (command) => supervisor.handle(command),
    onLog: (level, message) => log(level, message),
  });
  supervisor = new Supervisor(config, {
    send: (message) => bridge.send(message),
    log,
    startedAt,
    onShutdown: () => void exitAfterDrain(bridge, log, 0),
    bridge,
  });
  installCrashHandlers(log, configSecrets(config), bridge);
  process.once('SIGTERM', () => void supervisor.shutdown());
  process.once('SIGINT', () => void supervisor.shutdown());
  log('info', 'supervisor starting', {
    sandboxId: config.sandboxId,
    sessionId: config.sessionId,
    repo: config.remote.url,
    branch: config.branch,
    baseBranch: config.baseBranch,
  });
  bridge.start();
  // The origin's and the model's ports must answer before the first fetch and the first turn.
  const forwarding = Promise.all(
    [config.controlForward, config.modelForward].map((forward) =>
      forward ? forwardPortToSocket(forward.port, forward.socketPath) : null,
    ),
  );
  void forwarding.then(
    () => supervisor.start(),
    (error: Error) => {
      log('error', `cannot forward a loopback port to the host: ${error.message}`);
      void supervisor.start(); // it fails its checkout or its turn and says so on the timeline
    },
  );
  watchForOrphaning({
    timeoutMs: config.orphanTimeoutMs,
    connected: () => bridge.connected,
    promptRunning: () => supervisor.runningMessageId !== null,
    onOrphaned: (awayMs) => {
      log('warn', `no control plane for ${Math.round(awayMs / 1000)} s and nothing running: shutting down`);
      void supervisor.shutdown();
    },
  });
}

/** Delivers what is still unacknowledged (for a while), then exits. */
async function exitAfterDrain(bridge: BridgeClient, log: Logger, code: number): Promise<never> {
  const delivered = await bridge.drain(5000);
  if (!delivered) log('warn', `exiting with ${bridge.outbox.size} bridge messages unacknowledged`);
  bridge.close();
  log('info', 'supervisor exiting', { code });
  process.exit(code);
}

function installCrashHandlers(log: Logger, secrets: string[], bridge: BridgeClient): void {
  const report = (what: string, error: unknown) => {
    const message = scrub(
      `${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      secrets,
    );
    log('error', message);
    bridge.send({ type: 'error', message: message.slice(0, 4000) });
  };
  // A rejection nobody awaited is a bug, but not one worth losing a running prompt over.
  process.on('unhandledRejection', (error) => report('unhandled rejection in the supervisor', error));
  process.on('uncaughtException', (error) => {
    report('the supervisor crashed', error);
    void exitAfterDrain(bridge, log, 1);
  });
}

/**
 * With an unusable environment there is nothing to run, but when the bridge variables are there
 * the control plane should hear why (a sandbox_error) rather than see a silent exit.
 */
function reportAndWait(message: string): void {
  const reachable = decodeBridgeEnv(env);
  if (!reachable) process.exit(2);
  const log = createLogger([reachable.sandboxToken]);
  const bridge = new BridgeClient({
    url: reachable.bridgeUrl,
    token: reachable.sandboxToken,
    sandboxId: reachable.sandboxId,
    runningMessageId: () => null,
    onCommand: (command) => {
      if (command.type === 'shutdown') void exitAfterDrain(bridge, log, 2);
      if (command.type === 'prompt')
        bridge.send({
          type: 'prompt_result',
          messageId: command.messageId,
          outcome: 'failed',
          error: `the sandbox cannot start: ${message}`,
          commit: null,
        });
    },
  });
  bridge.send({ type: 'status', status: 'failed', phase: 'env' });
  bridge.send({ type: 'error', message, phase: 'env' });
  bridge.start();
  // Give up after a minute if nobody tells us to stop.
  setTimeout(() => void exitAfterDrain(bridge, log, 2), 60_000).unref();
}

main();
