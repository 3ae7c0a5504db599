/**
 * Where sandboxes come from. The runner asks a provider for a sandbox and talks to it only over
 * the bridge, so a container or pod provider can stand in for the local one unchanged.
 */
export interface SandboxProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** Starts the supervisor for a session. Resolves once the process is running, not when ready. */
  start(spec: SandboxSpec): Promise<SandboxHandle>;
  /** Takes back a sandbox a previous control-plane process started, if it is still alive. */
  adopt(sandboxId: string, handle: string): SandboxHandle | undefined;
  /** Removes what the session's sandboxes left on disk (its workspace). */
  discard(sessionId: string): Promise<void>;
  /**
   * Whether the client at the other end of a TCP connection to the control plane runs in one of
   * this provider's sandboxes (so it may use only the sandbox routes). Providers whose sandboxes
   * cannot reach the control plane except through the bridge leave it out.
   */
  ownsPeer?(remote: Endpoint, local: Endpoint): boolean;
}

export interface ProviderCapabilities {
  /** How a sandbox is kept from the host: an OS-level sandbox, or none (operator opted in). */
  isolation: 'bubblewrap' | 'none';
  snapshots: boolean;
  restore: boolean;
  warmPool: boolean;
  /** Whether memory/cpu/pid limits are enforced on this host. */
  resourceLimits: boolean;
}

export interface SandboxSpec {
  sandboxId: string;
  sessionId: string;
  /** The supervisor's environment (its whole environment: nothing of the host's leaks in). */
  env: Record<string, string>;
}

export interface SandboxHandle {
  readonly sandboxId: string;
  /** Serialisable reference for `adopt` after a restart. */
  readonly handle: string;
  /** Resolves when the sandbox's process has ended, with how. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** The supervisor's own output (last lines), for error reports. */
  output(): Promise<string>;
  kill(): Promise<void>;
}

/** One end of a TCP connection as Node reports it (`socket.remoteAddress`, `remotePort` …). */
export interface Endpoint {
  address: string;
  port: number;
}
