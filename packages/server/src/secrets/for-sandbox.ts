/**
 * Which secret values a sandbox gets, by scope. Pure. The control plane hands both maps to the
 * supervisor on its stdin (never in an environment); the supervisor gives `setup` and `agent`
 * ones to setup.sh/start.sh while they run, and `agent` ones to each agent command
 * (packages/sandbox/src/secrets/).
 */
import type { SecretScope } from '@nightshift/protocol';

export interface SandboxSecrets {
  /** Reach the scripts and the agent's commands. */
  agent: Record<string, string>;
  /** Reach setup.sh and start.sh only. */
  setup: Record<string, string>;
}

export interface SecretValue {
  name: string;
  scope: SecretScope;
  value: string;
}

/** A repository's secret wins over a global one of the same name, whatever either's scope. */
export function mergeSandboxSecrets(global: SecretValue[], repository: SecretValue[]): SandboxSecrets {
  const byName = new Map<string, SecretValue>();
  for (const secret of [...global, ...repository]) byName.set(secret.name, secret);
  const merged: SandboxSecrets = { agent: {}, setup: {} };
  for (const secret of byName.values()) merged[secret.scope][secret.name] = secret.value;
  return merged;
}
