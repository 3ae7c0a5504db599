import { useCallback, useState } from 'react';
import type { Message } from '@nightshift/protocol';
import type { TimelineState } from './reducer.js';
import { TimelineRow, type RowContext } from './rows.js';
import { VirtualList } from './VirtualList.js';
import type { ArtifactRepo } from './ArtifactEntry.js';

/** The session's timeline: an ARIA log of every prompt and what the agent did about it. */
export function Timeline({
  timeline,
  messages,
  repo,
}: {
  timeline: TimelineState;
  messages: ReadonlyMap<string, Message>;
  repo: ArtifactRepo | null;
}) {
  // Kept here, not in the rows, because rows unmount when scrolled out of the window.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback(
    (key: string) =>
      setExpanded((prev) => {
        const next = new Set(prev);
        if (!next.delete(key)) next.add(key);
        return next;
      }),
    [],
  );
  const ctx: RowContext = { messages, expanded, toggle, repo };
  const { rows } = timeline;

  if (rows.size === 0) {
    return (
      <div className="timeline-scroller empty" role="log" aria-label="Timeline" tabIndex={0}>
        <p className="muted">No prompts yet. Describe what the agent should do below.</p>
      </div>
    );
  }
  return (
    <VirtualList
      label="Timeline"
      count={rows.size}
      version={timeline.seq}
      rowKey={(i) => rows.get(i)!.key}
      renderRow={(i) => <TimelineRow row={rows.get(i)!} ctx={ctx} />}
    />
  );
}
