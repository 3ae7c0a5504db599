/**
 * A LiveSandbox on its own, without a provider or a runner: a sandbox whose process never exits
 * as far as it can tell, on a real store, for tests that drive its bridge side by hand.
 */
import type { Store } from '../../src/store/store.js';
import { LiveSandbox, type LiveSandboxOptions } from '../../src/sandboxes/live-sandbox.js';
import { createLogger } from '../../src/log.js';

export function standaloneLiveSandbox(store: Store, options: Partial<LiveSandboxOptions> = {}): LiveSandbox {
  return new LiveSandbox({
    sandboxId: 'sbx_1',
    sessionId: 'ses_1',
    tokenHash: 'x',
    handle: {
      sandboxId: 'sbx_1',
      handle: '{}',
      exited: new Promise(() => {}),
      output: async () => '',
      kill: async () => {},
    },
    lastBridgeId: 0,
    adopted: false,
    sandboxes: store.sandboxes,
    log: createLogger('silent'),
    session: async () => ({ repo: '/repo', branch: 'main' }),
    hasBranchArtifact: async () => false,
    ...options,
  });
}
