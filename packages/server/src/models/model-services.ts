import type { ServerConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { unproxiedKeyVariables, upstreamsFrom, type Upstream } from './providers.js';
import { createModelProxy, type ModelProxy } from './proxy.js';
import { UsageLedger } from './usage-ledger.js';
import { RelayBooks } from './relay-books.js';
import path from 'node:path';

export interface ModelServices {
  /** The providers sandboxes can use, with their real endpoints and keys. */
  upstreams: ReadonlyMap<string, Upstream>;
  ledger: UsageLedger;
  /** The sandboxes' relays' journals and allowances; its admission check tells them too. */
  relays: RelayBooks;
  proxy: ModelProxy;
}

/** The model proxy and its ledger, from the control plane's own settings and environment. */
export function createModelServices(
  config: ServerConfig,
  store: Store,
  log: Logger,
  sessionForCredential: (credential: string) => string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ModelServices {
  const upstreams = upstreamsFrom({
    ...env,
    NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: config.openaiCompatible?.baseUrl,
    NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY: config.openaiCompatible?.apiKey ?? undefined,
  });
  for (const name of unproxiedKeyVariables(env))
    log.warn(
      `${name} is set, but the model proxy does not speak its provider's wire format: it is not passed to sandboxes, and that provider cannot be used`,
    );
  const ledger = new UsageLedger({
    store,
    prices: config.models.prices,
    budgetUsdPerDay: config.models.budgetUsdPerDay,
  });
  const relays = new RelayBooks(ledger, store, (id) => path.join(config.dataDir, 'sandboxes', id), log);
  relays.start();
  return {
    upstreams,
    ledger,
    relays,
    proxy: createModelProxy({ upstreams, sessionForCredential, ledger, log }),
  };
}
