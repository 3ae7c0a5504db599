/** The pull request's title and body, written from the session: pure, so tests read it as text. */

export interface PullRequestSource {
  sessionUrl: string;
  prompts: { text: string; author: { name: string; email: string } }[];
  /** The agent's last words in the session (its summary), if it said anything. */
  summary: string | null;
  requester: { name: string; email: string };
  /** Opened by the App rather than by the requester: the body says who asked, with their address. */
  byApp: boolean;
}

export const TITLE_MAX = 72;

export function defaultTitle(firstPrompt: string | undefined, fallback: string): string {
  const line =
    (firstPrompt ?? '')
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  if (line === '') return fallback;
  return line.length <= TITLE_MAX ? line : `${line.slice(0, TITLE_MAX - 1).trimEnd()}…`;
}

export function pullRequestBody(source: PullRequestSource): string {
  const prompts = source.prompts.map((p) => `${quote(p.text)}\n\n— ${p.author.name}`);
  const requested = source.byApp
    ? `Requested by ${source.requester.name} <${source.requester.email}>`
    : `Requested by ${source.requester.name}`;
  return [
    '### Prompts',
    prompts.join('\n\n') || '_none_',
    ...(source.summary ? ['### Summary', source.summary.trim()] : []),
    '---',
    `${requested} · [Nightshift session](${source.sessionUrl})`,
  ].join('\n\n');
}

function quote(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}
