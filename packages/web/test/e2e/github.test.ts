import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  startGitHubServer,
  startModelServer,
  taggedResponder,
  text,
  toolCall,
  type GitHubServer,
  type ModelServer,
  type Turn,
} from '@nightshift/testkit';
import { NightshiftClient } from '@nightshift/client';
import { ensureBuilt } from './support/build.js';
import { fetchFromPage } from './support/sign-in.js';
import { startNightshiftUp, type NightshiftUp } from './support/nightshift-up.js';
import { contextAs, hasChromium, launch, screenshot, unlabelledControls, until } from './support/browser.js';

const ada = { login: 'ada', id: 101, name: 'Ada Lovelace', email: 'ada@acme.test' };
const grace = { login: 'grace', id: 102, name: 'Grace Hopper', email: 'grace@acme.test' };
const OWNER = 'acme';
const NAME = 'storefront';
const SLUG = 'nightshift-e2e';

const routes = new Map<string, Turn[]>();

/**
 * The GitHub workflow in the browser, against a real `nightshift up` with NIGHTSHIFT_AUTH=github
 * and a GitHub App, both on the testkit GitHub server (its OAuth flow, REST API, git over HTTP
 * behind its token check, signed webhook deliveries): sign in with GitHub, pick the installed
 * repository, prompt, create the pull request as the person, follow it to "Merged", and a
 * comment mentioning the App runs as a prompt whose commit lands on the pull request's branch.
 */
describe.skipIf(!hasChromium)('web UI with GitHub: the pull request you come back to', () => {
  let github: GitHubServer;
  let model: ModelServer;
  let up: NightshiftUp;
  let browser: Browser;
  let page: Page;
  let sessionId = '';
  let pullNumber = 0;
  let branch = '';

  beforeAll(async () => {
    await ensureBuilt();
    [github, model] = await Promise.all([
      startGitHubServer({ users: [ada, grace] }),
      startModelServer({ models: ['scripted'], respond: taggedResponder(routes) }),
    ]);
    const app = github.createApp({ slug: SLUG });
    await github.createRepo({
      owner: OWNER,
      name: NAME,
      files: { 'README.md': '# Storefront\n' },
    });
    github.installApp({ owner: OWNER, repos: [NAME] });
    // On GitHub, but not among the App's installed repositories.
    await github.createRepo({ owner: OWNER, name: 'ledger' });
    [up, browser] = await Promise.all([
      startNightshiftUp({
        NIGHTSHIFT_AUTH: 'github',
        NIGHTSHIFT_GITHUB_CLIENT_ID: github.clientId,
        NIGHTSHIFT_GITHUB_CLIENT_SECRET: github.clientSecret,
        NIGHTSHIFT_GITHUB_API_URL: github.apiUrl,
        NIGHTSHIFT_GITHUB_URL: github.url,
        NIGHTSHIFT_GITHUB_APP_ID: String(app.id),
        NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY: app.privateKey,
        NIGHTSHIFT_GITHUB_WEBHOOK_SECRET: app.webhookSecret,
        NIGHTSHIFT_ALLOWED_EMAILS: ada.email,
        NIGHTSHIFT_MODEL: 'openai-compatible/scripted',
        NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: model.baseUrl,
        NIGHTSHIFT_LOG_LEVEL: 'info',
      }),
      launch(),
    ]);
    github.setWebhookUrl(`${up.url}/api/github/webhook`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await up?.close();
    await Promise.all([model?.close(), github?.close()]);
  }, 60_000);

  /** The commits on `branch` of the GitHub server's repository, newest first: `sha author <email> subject`. */
  const commitsOn = (branch: string) =>
    execFileSync('git', ['log', '--format=%H %an <%ae> %s', branch], {
      cwd: github.repoDir(OWNER, NAME),
      encoding: 'utf8',
    })
      .trim()
      .split('\n');

  it('signs in with GitHub and picks the installed repository from the form, by searching', async () => {
    const context = await contextAs(browser, null, { viewport: { width: 1280, height: 1000 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    await page.goto(`${up.url}/new`);
    await page.waitForURL(/\/sign-in/);
    await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
    await page.getByRole('button', { name: `Authorize ${ada.login}` }).click();
    await page.waitForURL((url) => url.origin === new URL(up.url).origin && url.pathname === '/new');
    // An API token made from the page, for reading what the page shows (and for cleaning up).
    const made = await fetchFromPage(page, '/api/tokens', { method: 'POST', body: { name: 'github e2e' } });
    up.client = new NightshiftClient({ baseUrl: up.url, token: (made.body as { token: string }).token });

    const repo = page.getByRole('combobox', { name: 'Repository' });
    // A repository the App is not installed on: refused at the field, with the way to install it.
    await repo.fill(`${OWNER}/ledger`);
    await page.getByRole('button', { name: 'Create session' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'not installed' });
    await refusal.waitFor();
    expect(await refusal.getByRole('link', { name: 'Install the GitHub App' }).getAttribute('href')).toMatch(
      /^https?:\/\//,
    );
    expect(await repo.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'github-not-installed');
    await repo.fill('');
    await repo.click();
    await repo.pressSequentially('store');
    const option = page.getByRole('listbox').getByRole('option', { name: `${OWNER}/${NAME}` });
    await option.waitFor();
    await screenshot(page, 'github-repo-picker');
    expect(await unlabelledControls(page)).toEqual([]);
    await repo.press('ArrowDown');
    await repo.press('Enter');
    expect(await repo.inputValue()).toBe(`${OWNER}/${NAME}`);
    await page.getByLabel(/^Title/).fill('Greeting');
    await page.getByRole('button', { name: 'Create session' }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    sessionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByRole('heading', { name: 'Greeting' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create pull request' }).isDisabled()).toBe(true);
  }, 120_000);

  it('prompts, then creates the pull request: authored by the person, its head the session branch with their commit', async () => {
    routes.set('[greet]', [
      toolCall('write', { filePath: 'GREETING.md', content: 'Hello from the storefront\n' }),
      text('Added GREETING.md.'),
    ]);
    const box = page.getByLabel('Prompt', { exact: true });
    await box.fill('Add a greeting file [greet]');
    await box.press('Enter');
    const timeline = page.getByRole('log', { name: 'Timeline' });
    await timeline.getByText('Completed', { exact: true }).waitFor({ timeout: 180_000 });
    await timeline.locator('.artifact', { hasText: /^Commit/ }).waitFor({ timeout: 60_000 });

    const create = page.getByRole('button', { name: 'Create pull request' });
    await until(async () => !(await create.isDisabled()), 'Create pull request enabled', 30_000);
    await create.click();
    const dialog = page.getByRole('dialog', { name: 'Create pull request' });
    await dialog.waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'github-create-pull-request');
    await dialog.getByRole('button', { name: 'Create pull request' }).click();

    const link = page.getByRole('link', { name: /^Pull request #\d+$/ });
    const refusal = dialog.getByRole('alert');
    // A refusal stays in the dialog: fail with its words rather than a timeout.
    await Promise.race([
      link.waitFor(),
      refusal.waitFor().then(async () => {
        throw new Error(
          `Create pull request refused: ${await refusal.textContent()}\n${up.output().slice(-4000)}`,
        );
      }),
    ]);
    pullNumber = Number((await link.textContent())!.replace(/\D/g, ''));
    await page.getByLabel('Pull request state: Open').waitFor();
    await timeline.locator('.artifact', { hasText: /^Pull request/ }).waitFor();
    await screenshot(page, 'github-pull-request-open');

    branch = (await up.client.getSession(sessionId)).branch;
    const pull = github.pulls(OWNER, NAME).find((p) => p.number === pullNumber);
    expect(pull).toBeDefined();
    expect(pull!.author.login).toBe(ada.login);
    expect(pull!.head).toBe(branch);
    expect(pull!.body).toContain(sessionId);
    const commits = commitsOn(branch);
    expect(commits[0]).toContain(`${ada.name} <${ada.email}>`);
  }, 300_000);

  it('a comment mentioning the App runs as a prompt: a new commit on the branch, a reaction and replies', async () => {
    routes.set('also update the README', [
      toolCall('write', { filePath: 'README.md', content: '# Storefront\n\nSays hello: see GREETING.md.\n' }),
      text('Updated the README.'),
    ]);
    const before = commitsOn(branch);
    await github.comment({
      owner: OWNER,
      name: NAME,
      issue: pullNumber,
      body: `@${SLUG} also update the README`,
      by: ada.login,
    });

    const timeline = page.getByRole('log', { name: 'Timeline' });
    await timeline.getByText('Updated the README.').waitFor({ timeout: 180_000 });
    await until(
      async () => (await timeline.getByText('Completed', { exact: true }).count()) === 2,
      'second prompt done',
      120_000,
    );
    await until(async () => commitsOn(branch).length > before.length, 'the new commit on the branch', 60_000);
    const [newest] = commitsOn(branch);
    expect(newest).toContain(`${ada.name} <${ada.email}>`);
    expect(
      execFileSync('git', ['show', `${branch}:README.md`], {
        cwd: github.repoDir(OWNER, NAME),
        encoding: 'utf8',
      }),
    ).toContain('Says hello');

    // The bot answered on the pull request: a link to the session, then how it went.
    const botReplies = () =>
      github.comments(OWNER, NAME, pullNumber).filter((c) => c.author.login === `${SLUG}[bot]`);
    await until(
      async () => botReplies().some((c) => c.body.includes(`/sessions/${sessionId}`)),
      'a reply linking the session',
      60_000,
    );
    await until(async () => botReplies().length >= 2, 'a reply with the outcome', 60_000);
    // …and acknowledged the request itself with a reaction.
    const request = github
      .comments(OWNER, NAME, pullNumber)
      .find((c) => c.body.includes('also update the README'));
    expect(request!.reactions.some((r) => r.user.login === `${SLUG}[bot]`)).toBe(true);
    await timeline
      .getByRole('article', { name: `Message from ${ada.name}` })
      .nth(1)
      .waitFor();
    await screenshot(page, 'github-comment-prompt');
  }, 300_000);

  it('follows the pull request to Merged when it is merged on GitHub', async () => {
    await github.mergePull(OWNER, NAME, pullNumber, { by: grace.login });
    await page.getByLabel('Pull request state: Merged').waitFor({ timeout: 30_000 });
    await page
      .getByRole('log', { name: 'Timeline' })
      .getByText(`Pull request #${pullNumber} merged by ${grace.login}`)
      .waitFor();
    await screenshot(page, 'github-pull-request-merged');
  }, 60_000);
});
