import { useState } from 'react';
import type { Message } from '@nightshift/protocol';
import type { OutcomeRow, PromptRow, PullRequestRow, Row, SandboxRow, StepRow, ToolRow } from './types.js';
import { describePullRequestUpdate } from './pull-request.js';
import { ArtifactEntry, type ArtifactRepo } from './ArtifactEntry.js';
import { Markdown } from './Markdown.js';
import {
  formatCost,
  formatDuration,
  formatTime,
  formatTokens,
  initials,
  summarizeInput,
} from '../components/format.js';

export interface RowContext {
  messages: ReadonlyMap<string, Message>;
  expanded: ReadonlySet<string>;
  toggle(key: string): void;
  /** Null until the session has loaded. */
  repo: ArtifactRepo | null;
}

export function TimelineRow({ row, ctx }: { row: Row; ctx: RowContext }) {
  switch (row.kind) {
    case 'prompt':
      return <PromptEntry row={row} text={row.text ?? ctx.messages.get(row.messageId)?.text} />;
    case 'text':
      return (
        <div className="entry agent-text">
          <Markdown text={row.text} />
        </div>
      );
    case 'tool':
      return <ToolEntry row={row} open={ctx.expanded.has(row.key)} onToggle={() => ctx.toggle(row.key)} />;
    case 'step':
      return <StepEntry row={row} />;
    case 'outcome':
      return <OutcomeEntry row={row} />;
    case 'sandbox':
      return <SandboxEntry row={row} />;
    case 'artifact':
      return <ArtifactEntry artifact={row.artifact} repo={ctx.repo} />;
    case 'notice':
      return <div className={`entry notice ${row.tone === 'error' ? 'error-text' : ''}`}>{row.text}</div>;
    case 'pull_request':
      return <PullRequestEntry row={row} />;
  }
}

function PullRequestEntry({ row }: { row: PullRequestRow }) {
  const { update } = row;
  const url = update.check?.url ?? update.review?.url;
  const failed = update.check && update.check.conclusion !== null && update.check.conclusion !== 'success';
  return (
    <div className={`entry notice pull-request-update state-${update.state}${failed ? ' error-text' : ''}`}>
      {url ? (
        <a href={url} target="_blank" rel="noopener noreferrer">
          {describePullRequestUpdate(update)}
        </a>
      ) : (
        describePullRequestUpdate(update)
      )}
      {update.review?.body && <div className="muted">{update.review.body}</div>}
    </div>
  );
}

function PromptEntry({ row, text }: { row: PromptRow; text: string | undefined }) {
  return (
    <article className="entry prompt" aria-label={`Message from ${row.author.name}`}>
      <header>
        <span className="avatar" aria-hidden="true">
          {initials(row.author.name)}
        </span>
        <span className="author">{row.author.name}</span>
        <time dateTime={row.at} title={new Date(row.at).toLocaleString()}>
          {formatTime(row.at)}
        </time>
        <span className={`badge status-${row.status}`}>{row.status}</span>
      </header>
      <div className="prompt-text">{text ?? '…'}</div>
    </article>
  );
}

function ToolEntry({ row, open, onToggle }: { row: ToolRow; open: boolean; onToggle(): void }) {
  const summary = row.title ?? summarizeInput(row.input);
  const hasDetail = row.output !== undefined || row.error !== undefined || row.input !== undefined;
  const detailId = `tool-${row.key}`;
  return (
    <div className={`entry tool tool-${row.status}`}>
      <button
        type="button"
        className="tool-head"
        aria-expanded={hasDetail ? open : undefined}
        aria-controls={hasDetail && open ? detailId : undefined}
        onClick={onToggle}
        disabled={!hasDetail}
        aria-label={`Tool ${row.tool}${summary ? `: ${summary}` : ''}, ${row.status}`}
      >
        <span className={`tool-dot dot-${row.status}`} aria-hidden="true" />
        <span className="tool-name">{row.tool}</span>
        <span className="tool-summary">{summary}</span>
        <span className={`badge status-${row.status}`}>{row.status}</span>
        {hasDetail && (
          <span className="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
        )}
      </button>
      {open && hasDetail && (
        <div id={detailId} className="tool-detail">
          {row.input !== undefined && <pre className="code">{JSON.stringify(row.input, null, 2)}</pre>}
          {row.output !== undefined && <pre className="code">{row.output}</pre>}
          {row.error !== undefined && <pre className="code error-text">{row.error}</pre>}
        </div>
      )}
    </div>
  );
}

function StepEntry({ row }: { row: StepRow }) {
  const parts: string[] = [];
  if (row.tokens) parts.push(`${formatTokens(row.tokens.input)} in · ${formatTokens(row.tokens.output)} out`);
  if (row.cost !== undefined) parts.push(formatCost(row.cost));
  if (parts.length === 0) return null;
  return <div className="entry step">Step · {parts.join(' · ')}</div>;
}

function OutcomeEntry({ row }: { row: OutcomeRow }) {
  if (row.outcome === 'completed') return <div className="entry outcome ok">Completed</div>;
  return (
    <div className={`entry outcome ${row.outcome}`} role={row.outcome === 'failed' ? 'alert' : undefined}>
      <strong>
        {row.outcome === 'failed' ? 'Failed' : row.outcome === 'stopped' ? 'Stopped' : 'Cancelled'}
      </strong>
      {row.error && <span className="outcome-error">{row.error}</span>}
    </div>
  );
}

function SandboxEntry({ row }: { row: SandboxRow }) {
  const [open, setOpen] = useState(false);
  const state = row.error ? 'failed' : row.readyMs !== undefined ? 'ready' : 'starting';
  const outputs = row.phases.filter((p) => p.output);
  return (
    <div className={`entry sandbox sandbox-${state}`}>
      <div>
        Sandbox ({row.mode}){' '}
        {state === 'ready'
          ? `ready in ${formatDuration(row.readyMs!)}`
          : state === 'failed'
            ? `failed: ${row.error}`
            : 'starting…'}
      </div>
      {row.phases.length > 0 && (
        <ol className="phases" aria-label="Sandbox phases">
          {row.phases.map((p, i) => (
            <li key={i}>
              {p.phase ?? p.status}
              {p.durationMs !== undefined && <span className="muted"> {formatDuration(p.durationMs)}</span>}
            </li>
          ))}
        </ol>
      )}
      {outputs.length > 0 && (
        <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide output' : 'Show output'}
        </button>
      )}
      {open &&
        outputs.map((p, i) => (
          <pre key={i} className="code">
            {p.output}
          </pre>
        ))}
    </div>
  );
}
