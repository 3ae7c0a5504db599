import type { GitHubErrorView } from './github-error.js';

/** The link after a GitHub refusal's words: the step that fixes it (another tab for GitHub's pages). */
export function GitHubFixLink({ action }: { action: GitHubErrorView['action'] | null | undefined }) {
  if (!action) return null;
  return (
    <>
      {' '}
      <a href={action.href} {...(action.external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
        {action.label}
      </a>
    </>
  );
}
