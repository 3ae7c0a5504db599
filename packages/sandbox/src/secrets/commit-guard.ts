/**
 * Before a commit: a staged file that holds a secret value (as it is, base64 or URL-encoded) is
 * taken out of the commit and left in the workspace, and the caller is told which file and which
 * secret's name, never the value.
 */
import { secretForms, MIN_MASKED_LENGTH } from '@nightshift/protocol';
import { runGit, tryGit, type GitEnv } from '../git/run.js';

export interface WithheldFile {
  path: string;
  /** The name of the secret it holds. */
  secret: string;
}

/** Which secret names appear in `content`, checked in every form a program may write a value in. */
export function secretsIn(content: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => value.length >= MIN_MASKED_LENGTH)
    .filter(([, value]) => secretForms(value).some((form) => content.includes(form)))
    .map(([name]) => name);
}

export async function withholdSecretFiles(
  workspace: string,
  git: GitEnv,
  secrets: Record<string, string>,
): Promise<WithheldFile[]> {
  if (Object.keys(secrets).length === 0) return [];
  // Added, copied, modified, renamed or retyped: every staged path with content of its own.
  const listed = await runGit(
    ['diff', '--cached', '--name-only', '-z', '--no-renames', '--diff-filter=ACMRT'],
    workspace,
    git,
  );
  const withheld: WithheldFile[] = [];
  for (const path of listed.split('\0').filter(Boolean)) {
    const blob = await tryGit(['cat-file', 'blob', `:${path}`], workspace, git);
    if (blob.code !== 0) continue;
    const [secret] = secretsIn(blob.stdout, secrets);
    if (secret === undefined) continue;
    await runGit(['reset', '--quiet', '--', path], workspace, git);
    withheld.push({ path, secret });
  }
  return withheld;
}
