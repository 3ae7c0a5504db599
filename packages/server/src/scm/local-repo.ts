import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A repository on this machine: an absolute path or a file:// URL. */
export function isLocalRepo(repo: string): boolean {
  return repo.startsWith('/') || repo.startsWith('file://');
}

/** The git directory of a local repository (its `.git`, or itself when bare). */
export function localGitDir(repo: string): Promise<string> {
  const dir = repo.startsWith('file://') ? fileURLToPath(repo) : repo;
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'safe.directory=*', 'rev-parse', '--absolute-git-dir'],
      { cwd: path.resolve(dir), timeout: 10_000 },
      (err, stdout) => (err ? reject(new Error(`${repo} is not a git repository`)) : resolve(stdout.trim())),
    );
  });
}
