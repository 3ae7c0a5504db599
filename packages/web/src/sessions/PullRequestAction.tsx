import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { PullRequestView } from '../timeline/types.js';
import { pullRequestStateLabel } from '../timeline/pull-request.js';
import { githubErrorView, type GitHubErrorView } from './github-error.js';
import { GitHubFixLink } from './GitHubFixLink.js';

export interface PullRequestRequest {
  title?: string;
  body?: string;
  draft?: boolean;
}

/**
 * The session header's pull request: a link to it with its state once there is one (following
 * the timeline), else the "Create pull request" button, usable once the agent has pushed work.
 */
export function PullRequestAction({
  pullRequest,
  canCreate,
  onCreate,
}: {
  pullRequest: PullRequestView | null;
  canCreate: boolean;
  onCreate(request: PullRequestRequest): Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  if (pullRequest) {
    const label = pullRequestStateLabel(pullRequest);
    const name = `Pull request #${pullRequest.number}`;
    return (
      <span className="pull-request-status">
        {pullRequest.url ? (
          <a href={pullRequest.url} target="_blank" rel="noopener noreferrer">
            {name}
          </a>
        ) : (
          name
        )}{' '}
        <span className={`badge pr-${label.toLowerCase()}`} aria-label={`Pull request state: ${label}`}>
          {label}
        </span>
      </span>
    );
  }
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={!canCreate}
        title={canCreate ? undefined : 'The agent has not pushed any commits to this session’s branch yet'}
        onClick={() => setOpen(true)}
      >
        Create pull request
      </button>
      {open && <PullRequestDialog onCreate={onCreate} onClose={() => setOpen(false)} />}
    </>
  );
}

function PullRequestDialog({
  onCreate,
  onClose,
}: {
  onCreate(request: PullRequestRequest): Promise<void>;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [draft, setDraft] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<GitHubErrorView | null>(null);
  const id = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Left empty, the server writes them from the session (prompts, summary, who asked).
      await onCreate({
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(body.trim() ? { body: body.trim() } : {}),
        ...(draft ? { draft } : {}),
      });
      onClose();
    } catch (err) {
      setError(githubErrorView(err, location.pathname + location.search));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      className="dialog pull-request-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={onClose}
    >
      <h2 id={`${id}-title`}>Create pull request</h2>
      <form onSubmit={(e) => void submit(e)} className="form" aria-busy={busy}>
        <div className="field">
          <label htmlFor={`${id}-pr-title`}>
            Title <span className="muted">(optional)</span>
          </label>
          <input
            id={`${id}-pr-title`}
            value={title}
            placeholder="Written from the session"
            onChange={(e) => setTitle(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pr-body`}>
            Description <span className="muted">(optional)</span>
          </label>
          <textarea
            id={`${id}-pr-body`}
            value={body}
            rows={5}
            placeholder="The prompts, the agent’s summary and a link back here"
            onChange={(e) => setBody(e.target.value)}
          />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={draft} onChange={(e) => setDraft(e.target.checked)} /> Draft
        </label>
        {error && (
          <p className="field-error" role="alert">
            {error.message}
            <GitHubFixLink action={error.action} />
          </p>
        )}
        <div className="actions">
          <button type="button" className="button ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create pull request'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
