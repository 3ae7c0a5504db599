// What each tracked webhook delivery says happened to which pull request.
import { describe, expect, it } from 'vitest';
import { pullRequestChanges } from '../src/github/webhooks/tracked-events.js';

const repository = { full_name: 'acme/widgets' };

describe('webhook events → pull_request_updated', () => {
  it('a merge is "merged", by whoever merged it', () => {
    const changes = pullRequestChanges('pull_request', {
      action: 'closed',
      repository,
      sender: { login: 'bob' },
      pull_request: { number: 12, state: 'closed', merged: true, merged_by: { login: 'carol' } },
    });
    expect(changes).toEqual([
      { repo: 'acme/widgets', number: 12, state: 'merged', update: { by: 'carol', action: 'closed' } },
    ]);
  });

  it('closing without merging is "closed"; reopening and pushes are "open"', () => {
    const pr = (state: string, action: string) =>
      pullRequestChanges('pull_request', {
        action,
        repository,
        sender: { login: 'bob' },
        pull_request: { number: 3, state, merged: false },
      })[0]?.state;
    expect(pr('closed', 'closed')).toBe('closed');
    expect(pr('open', 'reopened')).toBe('open');
    expect(pr('open', 'synchronize')).toBe('open');
    expect(pr('open', 'labeled')).toBeUndefined();
  });

  it('a submitted review carries its verdict and text', () => {
    const [change] = pullRequestChanges('pull_request_review', {
      action: 'submitted',
      repository,
      sender: { login: 'carol' },
      pull_request: { number: 5, state: 'open' },
      review: { state: 'CHANGES_REQUESTED', body: 'Rename it', html_url: 'https://gh/r/1' },
    });
    expect(change).toMatchObject({
      number: 5,
      state: 'open',
      update: { by: 'carol', review: { state: 'changes_requested', body: 'Rename it' } },
    });
  });

  it('a completed check run updates each pull request it ran for, leaving the state as stored', () => {
    const changes = pullRequestChanges('check_run', {
      action: 'completed',
      repository,
      check_run: { name: 'ci / test', conclusion: 'failure', pull_requests: [{ number: 5 }, { number: 6 }] },
    });
    expect(changes.map((c) => [c.number, c.state, c.update.check])).toEqual([
      [5, undefined, { name: 'ci / test', conclusion: 'failure', url: undefined }],
      [6, undefined, { name: 'ci / test', conclusion: 'failure', url: undefined }],
    ]);
    expect(
      pullRequestChanges('check_run', {
        action: 'created',
        repository,
        check_run: { pull_requests: [{ number: 5 }] },
      }),
    ).toEqual([]);
  });
});
