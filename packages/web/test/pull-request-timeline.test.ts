import { describe, expect, it } from 'vitest';
import type { EventInput, SessionEvent } from '@nightshift/protocol';
import { ApiError } from '@nightshift/client';
import { applyEvents, initialTimeline } from '../src/timeline/reducer.js';
import { describePullRequestUpdate, pullRequestStateLabel } from '../src/timeline/pull-request.js';
import { githubErrorView } from '../src/sessions/github-error.js';

function events(...inputs: EventInput[]): SessionEvent[] {
  return inputs.map(
    (e, i) =>
      ({ ...e, seq: i + 1, at: new Date(1_700_000_000_000 + i * 1000).toISOString() }) as SessionEvent,
  );
}

const at = '2026-01-01T00:00:00.000Z';
const commit: EventInput = {
  type: 'artifact_created',
  data: { id: 'a1', type: 'commit', url: null, data: { sha: 'abc123', message: 'Fix' }, createdAt: at },
};
const opened: EventInput = {
  type: 'artifact_created',
  data: {
    id: 'a2',
    type: 'pull_request',
    url: 'https://github.example/acme/app/pull/7',
    data: { number: 7, state: 'open', draft: true },
    createdAt: at,
  },
};

describe('the session pull request on the timeline', () => {
  it('knows nothing to open a pull request from until the agent pushes a commit', () => {
    expect(initialTimeline().pushed).toBe(false);
    const unpushed: EventInput = {
      type: 'artifact_created',
      data: { id: 'a0', type: 'commit', url: null, data: { sha: 'f', pushed: false }, createdAt: at },
    };
    expect(applyEvents(initialTimeline(), events(unpushed)).pushed).toBe(false);
    expect(applyEvents(initialTimeline(), events(commit)).pushed).toBe(true);
  });

  it('follows the pull request from its artifact through webhook updates', () => {
    let t = applyEvents(initialTimeline(), events(commit, opened));
    expect(t.pullRequest).toEqual({
      number: 7,
      url: 'https://github.example/acme/app/pull/7',
      state: 'open',
      draft: true,
    });
    expect(pullRequestStateLabel(t.pullRequest!)).toBe('Draft');
    // An artifact that does not say is an open pull request, until GitHub says otherwise.
    const silent = { ...opened, data: { ...opened.data, data: { number: 7, state: 'open' } } } as EventInput;
    expect(applyEvents(initialTimeline(), events(silent)).pullRequest).not.toHaveProperty('draft');
    const converted = applyEvents(
      initialTimeline(),
      events(silent, {
        type: 'pull_request_updated',
        data: { number: 7, state: 'open', action: 'converted_to_draft' },
      }),
    );
    expect(pullRequestStateLabel(converted.pullRequest!)).toBe('Draft');

    t = applyEvents(
      t,
      events(
        commit,
        opened,
        {
          type: 'pull_request_updated',
          data: { number: 7, state: 'open', action: 'ready_for_review', by: 'ada' },
        },
        { type: 'pull_request_updated', data: { number: 7, state: 'merged', action: 'closed', by: 'grace' } },
      ),
    );
    expect(pullRequestStateLabel(t.pullRequest!)).toBe('Merged');
    expect(t.pullRequest!.url).toBe('https://github.example/acme/app/pull/7');
    const lines = t.rows
      .toArray()
      .flatMap((r) => (r.kind === 'pull_request' ? [describePullRequestUpdate(r.update)] : []));
    expect(lines).toEqual(['Pull request #7 ready for review by ada', 'Pull request #7 merged by grace']);
  });

  it('says what a review or a check run did', () => {
    expect(
      describePullRequestUpdate({
        number: 3,
        state: 'open',
        action: 'submitted',
        by: 'bob',
        review: { state: 'approved' },
      }),
    ).toBe('Pull request #3 approved by bob');
    expect(
      describePullRequestUpdate({
        number: 3,
        state: 'open',
        action: 'completed',
        check: { name: 'ci', conclusion: 'failure' },
      }),
    ).toBe('Pull request #3: check ci failed');
    expect(describePullRequestUpdate({ number: 3, state: 'closed', action: 'closed', by: 'eve' })).toBe(
      'Pull request #3 closed by eve',
    );
  });
});

describe('a refused pull request', () => {
  it('links an expired GitHub token to signing in again, back to the same page', () => {
    const err = new ApiError('refused', 409, 'github_token_expired', 'sign in with GitHub again');
    expect(githubErrorView(err, '/sessions/s1')).toEqual({
      message: 'sign in with GitHub again',
      action: {
        href: '/api/auth/login?returnTo=%2Fsessions%2Fs1',
        label: 'Sign in with GitHub again',
        external: false,
      },
    });
  });

  it('links a missing installation to the App’s install page, but never to a script', () => {
    const installUrl = 'https://github.example/apps/nightshift/installations/new';
    const view = githubErrorView(
      new ApiError('refused', 422, 'github_not_installed', 'not installed', { repo: 'a/b', installUrl }),
      '/',
    );
    expect(view.action).toMatchObject({ href: installUrl, label: 'Install the GitHub App' });
    const hostile = githubErrorView(
      new ApiError('refused', 422, 'github_not_installed', 'not installed', {
        installUrl: 'javascript:alert(1)',
      }),
      '/',
    );
    expect(hostile.action).toBeUndefined();
  });

  it('shows the server’s words for a branch with nothing to propose', () => {
    const err = new ApiError('refused', 409, 'no_commits_ahead', 'ns/x has no commits ahead of main yet');
    expect(githubErrorView(err, '/')).toEqual({ message: 'ns/x has no commits ahead of main yet' });
  });
});
