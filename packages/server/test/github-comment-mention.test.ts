// Which comments are requests to the App, and what a request says, by GitHub's mention rules.
import { describe, expect, it } from 'vitest';
import {
  decideComment,
  promptWithContext,
  withoutMention,
  type CommentPayload,
} from '../src/github/comment-triggers/mention.js';

const comment = (body: string, user = { login: 'ada', type: 'User', id: 1 }): CommentPayload => ({
  action: 'created',
  repository: { full_name: 'acme/widgets', html_url: 'https://github.test/acme/widgets' },
  installation: { id: 9 },
  issue: { number: 4, title: 'Buttons are blue', body: 'They should be green.', pull_request: { url: 'x' } },
  comment: { id: 77, body, user, author_association: 'COLLABORATOR' },
});

describe('comment triggers: mentions', () => {
  it('finds the mention anywhere, in any case, and takes it out of the request', () => {
    expect(withoutMention('@nightshift also update the README', 'nightshift')).toBe('also update the README');
    expect(withoutMention('Please @NightShift, fix the test.', 'nightshift')).toBe('Please , fix the test.');
    expect(withoutMention('(@nightshift) rename it', 'nightshift')).toBe('() rename it');
  });

  it('is not fooled by longer logins, email addresses or paths', () => {
    expect(withoutMention('@nightshift-bot do it', 'nightshift')).toBeUndefined();
    expect(withoutMention('@nightshifts do it', 'nightshift')).toBeUndefined();
    expect(withoutMention('mail ops@nightshift.dev', 'nightshift')).toBeUndefined();
    expect(withoutMention('see acme/@nightshift', 'nightshift')).toBeUndefined();
    expect(withoutMention('nothing to see', 'nightshift')).toBeUndefined();
  });

  it('acts on a created comment that mentions the App, with who asked and where', () => {
    const d = decideComment(comment('@nightshift also update the README'), 'nightshift');
    expect(d).toMatchObject({
      kind: 'trigger',
      repo: 'acme/widgets',
      installationId: 9,
      issue: 4,
      isPullRequest: true,
      commentId: 77,
      commenter: { login: 'ada', association: 'COLLABORATOR' },
      text: 'also update the README',
    });
  });

  it('never follows the App itself or any other bot, and ignores edits and deletions', () => {
    const own = comment('@nightshift done: see the session', {
      login: 'nightshift[bot]',
      type: 'Bot',
      id: 2,
    });
    expect(decideComment(own, 'nightshift').kind).toBe('ignore');
    const other = comment('@nightshift bump', { login: 'renovate[bot]', type: 'Bot', id: 3 });
    expect(decideComment(other, 'nightshift').kind).toBe('ignore');
    expect(decideComment({ ...comment('@nightshift go'), action: 'edited' }, 'nightshift').kind).toBe(
      'ignore',
    );
    expect(decideComment(comment('no mention here'), 'nightshift').kind).toBe('ignore');
  });

  it("a new session's first prompt carries the issue's title and body", () => {
    const d = decideComment(
      {
        ...comment('@nightshift make them green'),
        issue: { number: 4, title: 'Buttons are blue', body: 'They should be green.' },
      },
      'nightshift',
    );
    if (d.kind !== 'trigger') throw new Error('expected a trigger');
    expect(d.isPullRequest).toBe(false);
    const prompt = promptWithContext(d);
    expect(prompt).toContain('make them green');
    expect(prompt).toContain('issue acme/widgets#4 by @ada: Buttons are blue');
    expect(prompt).toContain('They should be green.');
  });
});
