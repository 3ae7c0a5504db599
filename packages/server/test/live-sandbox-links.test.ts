/**
 * The links on a prompt's commit and branch come from the session, not from the sandbox: what a
 * sandbox reports is the agent's to forge, and a link is shown to everyone in the session.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Artifact, BridgeDown } from '@nightshift/protocol';
import { standaloneLiveSandbox } from './support/live-sandbox.js';
import { openSqliteStore } from '../src/store/sqlite.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function promptEndingWith(
  commit: {
    sha: string;
    branch: string;
    pushed: boolean;
    remoteUrl: string | null;
  },
  session: { repo: string; branch: string },
) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-links-'));
  dirs.push(dir);
  const store = await openSqliteStore(path.join(dir, 'db.sqlite'));
  const artifacts: Array<Omit<Artifact, 'id' | 'createdAt'>> = [];
  const sandbox = standaloneLiveSandbox(store, { session: async () => session });
  sandbox.attach({
    emit: () => {},
    addArtifact: async (a) => {
      artifacts.push(a);
      return { ...a, id: `art_${artifacts.length}`, createdAt: new Date().toISOString() };
    },
    flushed: async () => {},
  });
  const sent: BridgeDown[] = [];
  const connection = {
    open: true,
    send: (m: BridgeDown) => sent.push(m),
    close: () => {},
    answers: async () => true,
  };
  await sandbox.onConnect(connection);
  const author = { name: 'Ada', email: 'ada@example.com' };
  const result = sandbox.run({ messageId: 'msg_1', text: 'work', author, model: null } as never);
  sandbox.onMessage(
    {
      id: 1,
      type: 'prompt_result',
      messageId: 'msg_1',
      outcome: 'completed',
      commit: { ...commit, message: 'work', author },
    },
    connection,
  );
  expect(await result).toMatchObject({ outcome: 'completed' });
  await store.close();
  return artifacts;
}

describe('links on a prompt’s commit and branch', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';

  it('point at the session’s repository and branch, whatever URL the sandbox reported', async () => {
    const artifacts = await promptEndingWith(
      { sha, branch: 'elsewhere', pushed: true, remoteUrl: 'https://github.com/mallory/phish.git' },
      { repo: 'https://x-access-token:s3cret@github.com/acme/app.git', branch: 'nightshift/ab12' },
    );
    expect(artifacts.map((a) => [a.type, a.url])).toEqual([
      ['commit', `https://github.com/acme/app/commit/${sha}`],
      ['branch', 'https://github.com/acme/app/tree/nightshift/ab12'],
    ]);
    expect(JSON.stringify(artifacts.map((a) => a.url))).not.toContain('s3cret');
  });

  it('are left out for an unpushed commit, a sha that is not one, and a repository without pages', async () => {
    const github = { repo: 'https://github.com/acme/app.git', branch: 'nightshift/ab12' };
    const unpushed = await promptEndingWith({ sha, branch: 'b', pushed: false, remoteUrl: null }, github);
    expect(unpushed.map((a) => a.url)).toEqual([null]);
    const odd = await promptEndingWith(
      { sha: '../../evil', branch: 'b', pushed: true, remoteUrl: null },
      github,
    );
    expect(odd.find((a) => a.type === 'commit')?.url).toBeNull();
    const local = await promptEndingWith(
      { sha, branch: 'b', pushed: true, remoteUrl: 'https://github.com/acme/app.git' },
      { repo: '/srv/git/app.git', branch: 'b' },
    );
    expect(local.map((a) => a.url)).toEqual([null, null]);
  });
});
