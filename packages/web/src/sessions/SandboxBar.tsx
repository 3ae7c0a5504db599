import { useEffect, useState } from 'react';
import type { SandboxState } from '../timeline/types.js';
import { formatDuration } from '../components/format.js';

/** The sandbox's state; while it starts, its phase and a running clock, so it never looks stuck. */
export function SandboxBar({ sandbox }: { sandbox: SandboxState }) {
  const starting = sandbox.startingSince !== undefined;
  const now = useTicker(starting);
  const elapsed = starting ? now - new Date(sandbox.startingSince!).getTime() : 0;
  return (
    <div className={`sandbox-bar sandbox-${sandbox.status}`} role="status" aria-label="Sandbox status">
      <span className={`dot dot-${sandbox.status}`} aria-hidden="true" />
      <span>
        Sandbox: <strong>{sandbox.status}</strong>
        {sandbox.phase && ` · ${sandbox.phase}`}
        {sandbox.phase && sandbox.phaseMs !== undefined && ` done in ${formatDuration(sandbox.phaseMs)}`}
        {starting && ` · ${formatDuration(Math.max(0, elapsed))} so far`}
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
