import { useState } from 'react';
import type { Author } from '@nightshift/protocol';
import { useSession } from './useSession.js';
import { Composer } from './Composer.js';
import { QueueList } from './QueueList.js';
import { Participants } from './Participants.js';
import { SandboxBar } from './SandboxBar.js';
import { Timeline } from '../timeline/Timeline.js';
import { promptOf } from '../timeline/reducer.js';
import { linkHandler } from '../router.js';
import { describeError } from '../api/errors.js';
import { repoName } from '../components/format.js';
import { SessionUsage } from './SessionUsage.js';
import { PullRequestAction, type PullRequestRequest } from './PullRequestAction.js';
import { api } from '../api/client.js';
import { localRepoPath } from '../timeline/git-hints.js';
import type { PullRequestView } from '../timeline/types.js';

export function SessionPage({
  sessionId,
  me,
  signedIn = false,
}: {
  sessionId: string;
  me: Author | null;
  /** Team mode: the server takes the author from the session, so none is claimed. */
  signedIn?: boolean;
}) {
  const model = useSession(sessionId, me, signedIn);
  const { session, timeline, connection } = model;
  const [actionError, setActionError] = useState<string | null>(null);
  /** The answer to our own "Create pull request", until its artifact reaches the timeline. */
  const [created, setCreated] = useState<PullRequestView | null>(null);

  if (model.loadError) {
    return (
      <main className="page narrow">
        <p className="error-text" role="alert">
          {model.loadError}
        </p>
        <a href="/" onClick={linkHandler}>
          Back to sessions
        </a>
      </main>
    );
  }

  const archived = session?.status === 'archived';
  const act = (fn: () => Promise<unknown>) => () => {
    setActionError(null);
    fn().catch((err: unknown) => setActionError(describeError(err)));
  };
  const { totals } = timeline;
  // The timeline follows GitHub; whether it was opened as a draft, only our own request may know.
  const followed = timeline.pullRequest;
  const pullRequest =
    followed && created?.number === followed.number && followed.draft === undefined
      ? { ...followed, draft: created.draft }
      : (followed ?? created);
  const createPullRequest = async (request: PullRequestRequest) => {
    const pr = await api.createPullRequest(sessionId, request);
    setCreated({ number: pr.number, url: pr.url, state: pr.state, draft: request.draft ?? false });
  };

  return (
    <main className="session-page">
      <header className="session-header">
        <a href="/" onClick={linkHandler} className="back" aria-label="Back to sessions">
          ←
        </a>
        <div className="session-title">
          <h1>{session ? (session.title ?? repoName(session.repo)) : 'Loading…'}</h1>
          {session && (
            <p className="muted session-meta">
              <span title={session.repo}>{session.repo}</span> · <code>{session.branch}</code> from{' '}
              <code>{session.baseBranch}</code>
              {session.model && <> · {session.model}</>}
              <SessionUsage usage={session.usage} reported={totals} />
            </p>
          )}
        </div>
        {/* A local repository has no pull requests: its branch is right there. */}
        {session && (pullRequest || !localRepoPath(session.repo)) && (
          <PullRequestAction
            pullRequest={pullRequest}
            canCreate={timeline.pushed}
            onCreate={createPullRequest}
          />
        )}
        {session && (
          <span className={`badge status-${session.status}`} aria-label={`Session status: ${session.status}`}>
            {session.status}
          </span>
        )}
        {session &&
          (archived ? (
            <button type="button" className="button" onClick={act(() => model.setArchived(false))}>
              Unarchive
            </button>
          ) : (
            <button type="button" className="button ghost" onClick={act(() => model.setArchived(true))}>
              Archive
            </button>
          ))}
      </header>
      {connection === 'reconnecting' && (
        <div className="banner" role="status">
          <span className="spinner" aria-hidden="true" /> Connection lost — reconnecting…
        </div>
      )}
      {actionError && (
        <div className="banner error" role="alert">
          {actionError}
        </div>
      )}
      <div className="session-body">
        <div className="session-main">
          <Timeline
            timeline={timeline}
            messages={model.messages}
            repo={session ? { repo: session.repo, baseBranch: session.baseBranch } : null}
          />
          <SandboxBar sandbox={timeline.sandbox} agentSince={timeline.runningSince} />
          <QueueList
            queued={timeline.queued}
            textOf={(id) => promptOf(timeline, id)?.text ?? model.messages.get(id)?.text}
            authorOf={(id) => (promptOf(timeline, id)?.author ?? model.messages.get(id)?.author)?.name}
            onCancel={(id) => act(() => model.cancel(id))()}
          />
          <Composer
            disabled={!session || archived}
            disabledReason={archived ? 'This session is archived. Unarchive it to send prompts.' : 'Loading…'}
            running={timeline.running !== null}
            onSend={model.send}
            onStop={model.stop}
            onTyping={model.notifyTyping}
          />
        </div>
        <aside className="session-side">
          <Participants
            participants={model.participants}
            typing={model.typing}
            reconnecting={connection === 'reconnecting'}
          />
        </aside>
      </div>
    </main>
  );
}
