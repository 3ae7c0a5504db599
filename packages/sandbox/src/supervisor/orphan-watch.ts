/**
 * Sandboxes outlive the control plane on purpose (a restarted server adopts them). One whose
 * server never comes back must still end: after `timeoutMs` without a bridge connection, and
 * with no prompt running, it shuts down.
 */
export interface OrphanWatchOptions {
  timeoutMs: number;
  connected: () => boolean;
  promptRunning: () => boolean;
  onOrphaned: (awayMs: number) => void;
  /** How often to look; default a tenth of the timeout, at most 5 s. */
  intervalMs?: number;
  now?: () => number;
}

/** Pure: whether the sandbox has been without a control plane for too long to stay. */
export function isOrphaned(
  lastConnectedAt: number,
  now: number,
  timeoutMs: number,
  running: boolean,
): boolean {
  return !running && now - lastConnectedAt >= timeoutMs;
}

export function watchForOrphaning(options: OrphanWatchOptions): () => void {
  const now = options.now ?? Date.now;
  let lastConnectedAt = now();
  const timer = setInterval(
    () => {
      if (options.connected()) lastConnectedAt = now();
      else if (isOrphaned(lastConnectedAt, now(), options.timeoutMs, options.promptRunning())) {
        clearInterval(timer);
        options.onOrphaned(now() - lastConnectedAt);
      }
    },
    options.intervalMs ?? Math.min(5000, Math.max(100, options.timeoutMs / 10)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
