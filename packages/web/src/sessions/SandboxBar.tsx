import { useEffect, useState } from 'react';
import type { SandboxState } from '../timeline/types.js';
import { formatDuration } from '../components/format.js';

/**
 * The sandbox's state; while it starts, its phase and a running clock, and while a prompt runs,
 * how long the agent has been at it: a model can think for a minute without a visible event, and
 * a moving clock tells that apart from a stuck session.
 */
export function SandboxBar({ sandbox, agentSince }: { sandbox: SandboxState; agentSince: string | null }) {
  const starting = sandbox.startingSince !== undefined;
  const working = agentSince !== null && !starting;
  const now = useTicker(starting || working);
  const elapsed = starting ? now - new Date(sandbox.startingSince!).getTime() : 0;
  return (
    <div className={`sandbox-bar sandbox-${sandbox.status}`} role="status" aria-label="Sandbox status">
      <span className={`dot dot-${sandbox.status}`} aria-hidden="true" />
      <span>
        Sandbox: <strong>{sandbox.status}</strong>
        {sandbox.phase && ` · ${sandbox.phase}`}
        {sandbox.phase && sandbox.phaseMs !== undefined && ` done in ${formatDuration(sandbox.phaseMs)}`}
        {/* The clocks change four times a second: hidden from screen readers, which would
            otherwise announce this live region on every tick. */}
        {starting && <span aria-hidden="true"> · {formatDuration(Math.max(0, elapsed))} so far</span>}
        {working && (
          <span aria-hidden="true">
            {' '}
            · agent working for {formatDuration(Math.max(0, now - new Date(agentSince).getTime()))}
          </span>
        )}
      </span>
      {starting && <span className="progress" role="progressbar" aria-label="Sandbox starting" />}
      {sandbox.error && <span className="error-text"> {sandbox.error}</span>}
    </div>
  );
}

function useTicker(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [active]);
  return now;
}
