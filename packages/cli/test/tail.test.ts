import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from './support/cli.js';
import { makeRepo, removeDir, startTestServer, type TestServer } from './support/server.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const author = { name: 'Ada Lovelace', email: 'ada@example.com' };

describe('tail', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(port = 0, dataDir?: string): Promise<TestServer> {
    const t = await startTestServer({
      port,
      runner: new ScriptedAgent(),
      model: 'scripted/agent',
      ...(dataDir ? { dataDir } : {}),
    });
    return t;
  }

  it('prints the stored timeline, then live events as they happen', async () => {
    const t = await setup();
    const repo = makeRepo();
    cleanup.push(
      () => removeDir(repo),
      () => removeDir(t.dataDir),
      () => t.close(),
    );
    const session = await t.client.createSession({ repo });
    await t.client.prompt(session.id, { text: 'first job', author });

    const tail = new CliProcess(['tail', session.id, '--server', t.url]);
    cleanup.push(async () => void (await tail.stop()));
    await tail.waitFor(/✓ prompt msg_\S+ completed/);
    expect(tail.stdout).toContain('▶ Ada Lovelace: first job');
    expect(tail.stdout).toContain('sandbox: starting (fresh)');
    expect(tail.stdout).toContain('sandbox: syncing (clone) 120ms — main at abc123');
    expect(tail.stdout).toContain('sandbox ready in 850ms');
    expect(tail.stdout).toContain('Looking at the repo.\n');

    await t.client.prompt(session.id, {
      text: 'second job, fail please',
      author,
    });
    await tail.waitFor(/✗ prompt msg_\S+ failed: the scripted agent was told to fail/);
    expect(tail.stdout).toContain('▶ Ada Lovelace: second job, fail please');
    expect(await tail.stop('SIGINT')).toBe(0);
  });

  it('--after and --json: one event per line, starting after the given seq', async () => {
    const t = await setup();
    const repo = makeRepo();
    cleanup.push(
      () => removeDir(repo),
      () => removeDir(t.dataDir),
      () => t.close(),
    );
    const session = await t.client.createSession({ repo });
    await t.client.prompt(session.id, { text: 'job', author });
    const tail = new CliProcess(['tail', session.id, '--after', '3', '--json', '--server', t.url]);
    cleanup.push(async () => void (await tail.stop()));
    await tail.waitFor(/"type":"prompt_completed"/);
    const seqs = tail.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(seqs[0]).toBe(4);
    expect(seqs).toEqual(seqs.map((_, i) => i + 4));
  });

  it('resumes after the server restarts, from the last seq seen, without duplicates', async () => {
    const first = await setup();
    const { port, dataDir } = first;
    const repo = makeRepo();
    cleanup.push(
      () => removeDir(repo),
      () => removeDir(dataDir),
    );
    const session = await first.client.createSession({ repo });
    await first.client.prompt(session.id, {
      text: 'before the restart',
      author,
    });

    const human = new CliProcess(['tail', session.id, '--server', first.url]);
    const json = new CliProcess(['tail', session.id, '--json', '--server', first.url]);
    cleanup.push(
      async () => void (await human.stop()),
      async () => void (await json.stop()),
    );
    await human.waitFor(/✓ prompt msg_\S+ completed/);
    await json.waitFor(/"type":"prompt_completed"/);

    await first.close();
    await human.waitFor(/connection to .* lost .*reconnecting/, 'stderr');
    await json.waitFor(/reconnecting/, 'stderr');

    const second = await setup(port, dataDir);
    cleanup.push(() => second.close());
    await second.client.prompt(session.id, {
      text: 'after the restart',
      author,
    });
    await human.waitFor(/reconnected/, 'stderr');
    await human.waitFor(/▶ Ada Lovelace: after the restart[\s\S]*✓ prompt msg_\S+ completed/);
    await json.waitFor(/"type":"prompt_completed"[\s\S]*"type":"prompt_completed"/);

    expect(human.stdout.match(/▶ Ada Lovelace: before the restart/g)).toHaveLength(1);
    expect(human.stdout.match(/Looking at the repo\./g)).toHaveLength(2);
    const seqs = json.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(await human.stop()).toBe(0);
  });
});
