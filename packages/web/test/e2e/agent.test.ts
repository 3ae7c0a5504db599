import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  providerError,
  startModelServer,
  taggedResponder,
  text,
  toolCall,
  type ModelServer,
  type Turn,
} from '@nightshift/testkit';
import { ensureBuilt } from './support/build.js';
import { makeRepo } from './support/server.js';
import { startNightshiftUp, type NightshiftUp } from './support/nightshift-up.js';
import {
  contextAs,
  hasChromium,
  launch,
  screenshot,
  unlabelledControls,
  until,
  type Person,
} from './support/browser.js';

const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
const alan = { name: 'Alan Turing', email: 'alan@example.com' };

/** Model turns per tag in the prompt text, so each test's prompts get their own script. */
const routes = new Map<string, Turn[]>();

/**
 * The web UI against a real `nightshift up` (a separate process) whose prompts run in real
 * bubblewrap sandboxes with the real OpenCode, talking to the testkit's scripted model.
 * Everything the browser sees came through the server's public API.
 */
describe.skipIf(!hasChromium)('web UI: real nightshift up, sandbox and OpenCode', () => {
  let model: ModelServer;
  let up: NightshiftUp;
  let browser: Browser;
  /** The session the first test creates through the form; the restart test continues it. */
  let greeting: { id: string; repo: string } | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    model = await startModelServer({
      models: ['scripted'],
      respond: taggedResponder(routes),
    });
    [up, browser] = await Promise.all([
      startNightshiftUp({
        NIGHTSHIFT_MODEL: 'openai-compatible/scripted',
        NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: model.baseUrl,
        NIGHTSHIFT_LOG_LEVEL: 'info',
      }),
      launch(),
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await up?.close();
    await model?.close();
  }, 60_000);

  async function pageAs(person: Person, path = '/'): Promise<Page> {
    // Tall enough that a whole short timeline is rendered at once (it is virtualised).
    const context = await contextAs(browser, person, { viewport: { width: 1280, height: 1000 } });
    // Sandboxes start and agents run in real time here; the waits below are for that.
    context.setDefaultTimeout(90_000);
    const page = await context.newPage();
    await page.goto(up.url + path);
    return page;
  }

  const timelineOf = (page: Page) => page.getByRole('log', { name: 'Timeline' });

  async function countOf(locator: Locator): Promise<number> {
    return locator.count();
  }

  it('creates a session through the form and shows a prompt run: sandbox phases, streamed text, a tool call, the commit', async () => {
    const repo = makeRepo();
    routes.set('[greet]', [
      toolCall('write', { filePath: 'GREETING.md', content: '# Hello from the night shift\n' }),
      // Slow chunks, so the reply is seen growing before it is complete.
      text(['I wrote ', '**GREETING.md** ', 'with a ', 'short ', 'greeting. ', 'All done.'], {
        chunkDelayMs: 400,
        usage: { promptTokens: 1200, completionTokens: 34 },
      }),
    ]);
    const page = await pageAs(ada);
    await page
      .getByRole('link', { name: 'New session' })
      .or(page.getByRole('button', { name: 'New session' }))
      .click();

    // A repository that is not there: the server's answer, next to the field.
    const repoField = page.getByLabel('Repository');
    await repoField.fill('/definitely/not/a/repo');
    await page.getByRole('button', { name: 'Create session' }).click();
    await page.getByText('does not exist').waitFor();
    expect(await repoField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await repoField.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('does not exist');
    await screenshot(page, 'agent-new-session-error');

    await repoField.fill(repo);
    await page.getByLabel('Title').fill('Add a greeting');
    await page.getByRole('button', { name: 'Create session' }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    await page.getByRole('heading', { name: 'Add a greeting' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;

    const prompt = page.getByLabel('Prompt');
    await prompt.fill('Add a greeting file [greet]');
    await prompt.press('Enter');
    const timeline = timelineOf(page);
    await timeline.getByRole('article', { name: `Message from ${ada.name}` }).waitFor();

    // While the sandbox starts: its phase and a moving clock, with a progress indicator.
    const progress = page.getByRole('progressbar', { name: 'Sandbox starting' });
    await progress.waitFor();
    const bar = page.getByRole('status', { name: 'Sandbox status' });
    await until(
      async () =>
        /Sandbox: (spawning|syncing|setup|starting).*\d+(\.\d)? (ms|s)/.test((await bar.textContent()) ?? ''),
      'the sandbox bar to show the phase and elapsed time',
    );
    await screenshot(page, 'agent-sandbox-starting');

    // Once ready: how long it took, phase by phase.
    await timeline.getByText(/Sandbox \(fresh\) ready in \d/).waitFor();
    const phases = timeline.getByRole('list', { name: 'Sandbox phases' });
    expect(await phases.textContent()).toMatch(/clone\s*\d+(\.\d)? (ms|s)/);
    expect(await phases.textContent()).toMatch(/opencode\s*\d+(\.\d)? (ms|s)/);

    // The tool call, completed, with its output a click (or Enter) away.
    const tool = timeline.getByRole('button', { name: /^Tool write: .*GREETING\.md.*, completed$/ });
    await tool.waitFor();

    // The reply streams in: seen part-way, then whole, rendered as markdown.
    await until(
      async () => {
        const shown = (await timeline.textContent()) ?? '';
        return shown.includes('I wrote') && !shown.includes('All done.');
      },
      'the reply part-way through',
      60_000,
    );
    await timeline.getByText('All done.', { exact: false }).waitFor();
    await timeline.locator('strong', { hasText: 'GREETING.md' }).waitFor();
    await timeline.getByText('Completed', { exact: true }).waitFor();
    await timeline.getByText(/1200 in · 34 out/).waitFor();

    await tool.focus();
    await page.keyboard.press('Enter');
    expect(await tool.getAttribute('aria-expanded')).toBe('true');
    await timeline.locator('.tool-detail').getByText('GREETING.md', { exact: false }).first().waitFor();

    // What it left behind: the commit and the pushed branch, on the repository itself.
    const session = await up.client.getSession(id);
    await timeline.getByText(`Pushed branch ${session.branch}`).waitFor();
    const commitRow = timeline.locator('.artifact', { hasText: /^Commit/ });
    await commitRow.waitFor();
    const sha = execFileSync('git', ['rev-parse', session.branch], { cwd: repo, encoding: 'utf8' }).trim();
    expect(await commitRow.textContent()).toContain(sha.slice(0, 8));
    expect(execFileSync('git', ['show', `${sha}:GREETING.md`], { cwd: repo, encoding: 'utf8' })).toBe(
      '# Hello from the night shift\n',
    );
    // A local repository has no web page to link to: the rows offer commands that show the work.
    const show = await commitRow.locator('.copy-command code').textContent();
    expect(show).toBe(`git -C ${repo} show ${sha.slice(0, 12)}`);
    expect(execFileSync('sh', ['-c', show!], { encoding: 'utf8' })).toContain(
      '+# Hello from the night shift',
    );
    const diff = await timeline
      .locator('.artifact', { hasText: /^Pushed branch/ })
      .locator('code')
      .last()
      .textContent();
    expect(execFileSync('sh', ['-c', diff!], { encoding: 'utf8' })).toContain(
      '+# Hello from the night shift',
    );
    expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
    await screenshot(page, 'agent-prompt-completed');
    expect(await unlabelledControls(page)).toEqual([]);
    greeting = { id, repo };
    await page.context().close();
  }, 240_000);

  it('typing warms the sandbox; a queued prompt is cancelled and a long-running one stopped', async () => {
    routes.set('[sleep]', [toolCall('bash', { command: 'sleep 600', description: 'Wait ten minutes' })]);
    const { id } = await up.client.createSession({ repo: makeRepo(), title: 'Stop and cancel' });
    const page = await pageAs(ada, `/sessions/${id}`);
    await page.getByRole('region', { name: 'Participants' }).getByText(ada.name, { exact: true }).waitFor();
    const timeline = timelineOf(page);

    // Only typing, no prompt yet: the sandbox starts so it is ready when the prompt comes.
    const prompt = page.getByLabel('Prompt');
    await prompt.pressSequentially('Wait for the slow job');
    await timeline.getByText(/Sandbox \(fresh\) ready in \d/).waitFor();
    const events = await up.client.events(id);
    expect(events.map((e) => e.type)).not.toContain('prompt_queued');

    await prompt.pressSequentially(' [sleep]');
    await prompt.press('Enter');
    const stop = page.getByRole('button', { name: 'Stop' });
    await stop.waitFor();
    const sleeping = timeline.getByRole('button', { name: /^Tool bash: sleep 600, running$/ });
    await sleeping.waitFor();

    await prompt.fill('Then tidy up [queued]');
    await page.getByRole('button', { name: 'Send' }).click();
    const queue = page.getByRole('region', { name: 'Queue' });
    await queue.getByText('Then tidy up [queued]').waitFor();
    await screenshot(page, 'agent-running-and-queued');
    expect(await unlabelledControls(page)).toEqual([]);
    await queue.getByRole('button', { name: /^Cancel: Then tidy up/ }).click();
    await queue.waitFor({ state: 'detached' });

    // Stop ends the ten-minute tool call; the prompt ends stopped and the tool shows it did not finish.
    await stop.click();
    await timeline.getByText('Stopped', { exact: true }).waitFor();
    // The cancelled prompt follows the outcome of the one it was queued behind.
    const cancelled = timeline.getByRole('article', { name: `Message from ${ada.name}` }).filter({
      hasText: 'Then tidy up [queued]',
    });
    await cancelled.getByText('cancelled', { exact: true }).waitFor();
    await timeline.getByRole('button', { name: /^Tool bash: sleep 600, error$/ }).waitFor();
    await stop.waitFor({ state: 'detached' });
    expect(await countOf(timeline.getByText('Completed', { exact: true }))).toBe(0);
    await screenshot(page, 'agent-stopped');

    // A model provider that refuses: the prompt fails with the provider's message.
    routes.set('[refuse]', [providerError(400, 'Scripted refusal: this key has no quota left')]);
    await prompt.fill('Try once more [refuse]');
    await prompt.press('Enter');
    const failed = timeline.getByRole('alert').filter({ hasText: 'Failed' });
    await failed.waitFor();
    expect(await failed.textContent()).toContain('Scripted refusal: this key has no quota left');
    await page.context().close();
  }, 240_000);

  it('two people share the session, and a restart of nightshift up reconnects both without duplicates', async () => {
    if (!greeting) throw new Error('needs the session the first test created');
    routes.set('[second]', [
      toolCall('write', { filePath: 'SECOND.md', content: 'second\n' }),
      text('The second file is there too.'),
    ]);
    const [a, b] = await Promise.all([
      pageAs(ada, `/sessions/${greeting.id}`),
      pageAs(alan, `/sessions/${greeting.id}`),
    ]);
    for (const [page, other] of [
      [a, alan],
      [b, ada],
    ] as const) {
      await page
        .getByRole('region', { name: 'Participants' })
        .getByText(other.name, { exact: true })
        .waitFor();
    }
    await timelineOf(a).getByText('All done.', { exact: false }).waitFor();

    // The banner shows while the server is away (watched from before it goes).
    const banner = a.getByText('Connection lost — reconnecting…');
    const bannerSeen = banner.waitFor({ timeout: 60_000 }).then(() => screenshot(a, 'agent-reconnecting'));
    // Who is here is not known while away, rather than shown as it was.
    const presenceUnknown = a
      .getByRole('region', { name: 'Participants' })
      .getByText('Unknown until reconnected')
      .waitFor({ timeout: 60_000 });
    await up.restart();
    await Promise.all([bannerSeen, presenceUnknown]);
    for (const page of [a, b]) {
      await page.getByText('reconnecting').waitFor({ state: 'detached', timeout: 30_000 });
      await page.getByRole('region', { name: 'Participants' }).getByText(ada.name, { exact: true }).waitFor();
    }

    await b.getByLabel('Prompt').fill('Add a second file [second]');
    await b.getByLabel('Prompt').press('Enter');
    for (const page of [a, b]) {
      const timeline = timelineOf(page);
      await timeline.getByRole('article', { name: `Message from ${alan.name}` }).waitFor();
      await timeline.getByText('The second file is there too.').waitFor();
      await until(
        async () => (await countOf(timeline.getByText('Completed', { exact: true }))) === 2,
        'both prompts completed',
        90_000,
      );
      // Everything from before the restart once, everything after it once.
      const prompts = timeline.getByRole('article');
      expect(await countOf(prompts.filter({ hasText: 'Add a greeting file [greet]' }))).toBe(1);
      expect(await countOf(prompts.filter({ hasText: 'Add a second file [second]' }))).toBe(1);
      expect(await countOf(prompts)).toBe(2);
      expect(await countOf(timeline.getByText('All done.', { exact: false }))).toBe(1);
      expect(await countOf(timeline.getByText('The second file is there too.'))).toBe(1);
      expect(await countOf(timeline.getByRole('button', { name: /^Tool write/ }))).toBe(2);
      expect(await countOf(timeline.locator('.artifact', { hasText: /^Commit/ }))).toBe(2);
    }
    await screenshot(a, 'agent-two-people-after-restart');

    // The prompts' texts came with their events (no messages fetch needed to show them).
    const events = await up.client.events(greeting.id);
    expect(
      events.flatMap((e) => (e.type === 'prompt_queued' ? [(e.data as { text?: string }).text] : [])),
    ).toEqual(['Add a greeting file [greet]', 'Add a second file [second]']);

    const session = await up.client.getSession(greeting.id);
    const log = execFileSync('git', ['log', '--format=%an', session.branch], {
      cwd: greeting.repo,
      encoding: 'utf8',
    });
    expect(log.trim().split('\n').slice(0, 2)).toEqual([alan.name, ada.name]);
    await a.context().close();
    await b.context().close();

    // The same finished session on a phone in dark mode: tool rows, artifacts and all fit.
    const phone = await contextAs(browser, ada, {
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      isMobile: true,
      hasTouch: true,
    });
    const small = await phone.newPage();
    await small.goto(`${up.url}/sessions/${greeting.id}`);
    await timelineOf(small).getByText('The second file is there too.').waitFor();
    expect(
      await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    // The timeline scrolls within the page, which itself does not: the composer stays on screen.
    expect(
      await small.evaluate(() => document.documentElement.scrollHeight - window.innerHeight),
    ).toBeLessThanOrEqual(0);
    const composer = await small.getByLabel('Prompt').boundingBox();
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(844);
    await screenshot(small, 'agent-session-phone-dark');
    await phone.close();
  }, 240_000);
});
