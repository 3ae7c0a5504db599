import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { NightshiftClient } from '@nightshift/client';
import {
  startModelServer,
  startOidcIssuer,
  taggedResponder,
  text,
  toolCall,
  type ModelServer,
  type OidcIssuer,
  type Turn,
} from '@nightshift/testkit';
import { ensureBuilt } from './support/build.js';
import { makeRepo } from './support/server.js';
import { startNightshiftUp, type NightshiftUp } from './support/nightshift-up.js';
import { contextAs, hasChromium, launch, screenshot, unlabelledControls, until } from './support/browser.js';
import { fetchFromPage, sessionCookie, signInThroughIssuer } from './support/sign-in.js';

const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
const alan = { name: 'Alan Turing', email: 'alan@example.com' };
const eve = { name: 'Eve Outsider', email: 'eve@elsewhere.test' };
/** What a forged request claims; it must appear nowhere. */
const mallory = { name: 'Mallory Forger', email: 'mallory@example.com' };

const routes = new Map<string, Turn[]>();

/**
 * Team mode in the browser, against a real `nightshift up` with NIGHTSHIFT_AUTH=oidc and a real
 * OpenID Connect issuer (oidc-provider, in-process): people sign in through the issuer's own login
 * page, outsiders are turned away, and the person signed in is who prompts, commits and presence
 * name, whatever a request claims. Prompts run in real sandboxes with the real OpenCode.
 */
describe.skipIf(!hasChromium)('web UI in team mode: sign-in through a real OIDC issuer', () => {
  let issuer: OidcIssuer;
  let model: ModelServer;
  let up: NightshiftUp;
  let browser: Browser;
  let adaPage: Page;
  /** The session the commit test creates; the presence test joins it. */
  let shared: { id: string; repo: string } | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    [issuer, model] = await Promise.all([
      startOidcIssuer({ accounts: [ada, alan, eve] }),
      startModelServer({
        models: ['scripted'],
        respond: taggedResponder(routes),
      }),
    ]);
    [up, browser] = await Promise.all([
      startNightshiftUp({
        NIGHTSHIFT_AUTH: 'oidc',
        NIGHTSHIFT_OIDC_ISSUER: issuer.url,
        NIGHTSHIFT_OIDC_CLIENT_ID: issuer.clientId,
        NIGHTSHIFT_OIDC_CLIENT_SECRET: issuer.clientSecret,
        NIGHTSHIFT_ALLOWED_EMAILS: `${ada.email},${alan.email}`,
        NIGHTSHIFT_ADMINS: ada.email,
        // The test's repositories (support/server.ts makeRepo) and nothing else on this disk.
        NIGHTSHIFT_ALLOWED_REPOS: `${path.join(os.tmpdir(), 'ns-web-repo-')}*`,
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
    await Promise.all([model?.close(), issuer?.close()]);
  }, 60_000);

  /** A fresh browser (no cookies, no local identity) at `path`. */
  async function freshPage(at: string): Promise<Page> {
    const context = await contextAs(browser, null, { viewport: { width: 1280, height: 1000 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.goto(up.url + at);
    return page;
  }

  const accountButton = (page: Page, name: string) =>
    page.getByRole('button', { name: new RegExp(`^Signed in as ${name}`) });

  it('signs in through the issuer and comes back where it was; the person is in the top bar; a token is shown once', async () => {
    const page = await freshPage('/settings/tokens');
    // Not signed in: the sign-in page, remembering where the person was going.
    await page.waitForURL(/\/sign-in\?returnTo=%2Fsettings%2Ftokens$/);
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0); // no local-mode name dialog
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'team-sign-in');

    await signInThroughIssuer(page, up.url, ada.email);
    expect(new URL(page.url()).pathname).toBe('/settings/tokens');
    const account = accountButton(page, ada.name);
    await account.waitFor();
    expect(await account.getAttribute('aria-label')).toContain('(admin)');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await sessionCookie(page.context(), up.url)).not.toBeNull();

    // A token for the API client below, made on the page.
    await page.getByLabel('Token name').fill('team e2e');
    await page.getByRole('button', { name: 'Create token' }).click();
    const created = page.getByRole('region', { name: /Token “team e2e” created/ });
    await created.waitFor();
    await created.getByText('it will not be shown again').waitFor();
    await created.getByRole('button', { name: 'Copy token' }).waitFor();
    const token = (await created.locator('code').first().textContent())!;
    expect(token.length).toBeGreaterThan(20);
    expect(await created.textContent()).toContain(`nightshift login --server ${new URL(up.url).origin}`);
    const table = page.getByRole('table', { name: 'API tokens' });
    await table.getByRole('cell', { name: 'team e2e', exact: true }).waitFor();
    await screenshot(page, 'team-token-created');
    expect(await unlabelledControls(page)).toEqual([]);

    up.client = new NightshiftClient({ baseUrl: up.url, token });
    expect((await up.client.me()).person?.email).toBe(ada.email);

    // Shown once: after a reload the list has the token's name, never its value.
    await page.reload();
    await table.getByRole('cell', { name: 'team e2e', exact: true }).waitFor();
    expect(await page.content()).not.toContain(token);

    // On a phone, the table and the account menu fit the width.
    await page.setViewportSize({ width: 390, height: 844 });
    await accountButton(page, ada.name).click();
    await page.getByRole('group', { name: 'Account' }).getByRole('link', { name: 'Secrets' }).waitFor();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await screenshot(page, 'team-tokens-phone');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 1000 });
    adaPage = page;
  }, 120_000);

  it('refuses an outsider: the sign-in page says why and no session is made', async () => {
    const page = await freshPage('/');
    await page.waitForURL(/\/sign-in/);
    await signInThroughIssuer(page, up.url, eve.email);
    await page.waitForURL(/\/sign-in\?error=forbidden/);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(eve.email);
    expect(await sessionCookie(page.context(), up.url)).toBeNull();
    expect((await fetchFromPage(page, '/api/me')).status).toBe(401);
    expect((await fetchFromPage(page, '/api/sessions')).status).toBe(401);
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    await screenshot(page, 'team-outsider-refused');
    await page.context().close();
  }, 60_000);

  it('the author of the prompt and the commit is the signed-in person, whatever the request claims', async () => {
    const repo = makeRepo();
    routes.set('[author]', [
      toolCall('write', { filePath: 'SIGNED.md', content: 'signed by the session\n' }),
      text('Wrote SIGNED.md.'),
    ]);
    const session = await up.client.createSession({ repo, title: 'Who wrote this' });
    shared = { id: session.id, repo };
    const page = adaPage;
    await page.goto(`${up.url}/sessions/${session.id}`);
    await page.getByRole('heading', { name: 'Who wrote this' }).waitFor();

    // The page's own fetch, cookie and all, claiming to be someone else.
    const sent = await fetchFromPage(page, `/api/sessions/${session.id}/prompts`, {
      method: 'POST',
      body: { text: 'Sign a file [author]', author: mallory },
    });
    expect(sent.status).toBe(202);

    const timeline = page.getByRole('log', { name: 'Timeline' });
    await timeline.getByRole('article', { name: `Message from ${ada.name}` }).waitFor({ timeout: 120_000 });
    await timeline.getByText('Wrote SIGNED.md.').waitFor({ timeout: 120_000 });
    await timeline.getByText('Completed', { exact: true }).waitFor({ timeout: 120_000 });
    await timeline.locator('.artifact', { hasText: /^Commit/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator('body').textContent()).not.toContain(mallory.name);

    const { branch } = await up.client.getSession(session.id);
    const author = execFileSync('git', ['log', '-1', '--format=%an <%ae>', branch], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(author.trim()).toBe(`${ada.name} <${ada.email}>`);
    expect((await up.client.messages(session.id)).map((m) => m.author)).toEqual([
      { name: ada.name, email: ada.email },
    ]);
    await screenshot(page, 'team-commit-by-signed-in-person');

    // What the model proxy counted for that prompt is Ada's, on the usage page too.
    await page.goto(`${up.url}/settings/usage`);
    const byPerson = page.getByRole('table', { name: 'By person' });
    await byPerson.getByRole('cell', { name: ada.name, exact: true }).waitFor();
    expect(await byPerson.textContent()).not.toContain(mallory.name);
    await screenshot(page, 'team-usage');
  }, 240_000);

  it('a second person joins the session; both appear in presence under their real names', async () => {
    if (!shared) throw new Error('needs the session the commit test created');
    await adaPage.goto(`${up.url}/sessions/${shared.id}`);
    const alanPage = await freshPage(`/sessions/${shared.id}`);
    await alanPage.waitForURL(/\/sign-in\?returnTo=/);
    await signInThroughIssuer(alanPage, up.url, alan.email);
    expect(new URL(alanPage.url()).pathname).toBe(`/sessions/${shared.id}`);
    await accountButton(alanPage, alan.name).waitFor();

    for (const page of [adaPage, alanPage]) {
      const participants = page.getByRole('region', { name: 'Participants' });
      for (const person of [ada, alan]) await participants.getByText(person.name, { exact: true }).waitFor();
    }
    await screenshot(alanPage, 'team-two-people-present');

    // A member sees the global secrets' names only; the admin manages them.
    await alanPage.goto(`${up.url}/settings/secrets`);
    await alanPage.getByText('Only admins manage global secrets.').waitFor();
    expect(await unlabelledControls(alanPage)).toEqual([]);

    // The session ends under the page (here: its cookie is gone): the next call sends the
    // person to sign in, remembering where they were.
    await alanPage.goto(`${up.url}/`);
    await alanPage.getByRole('heading', { name: 'Sessions' }).waitFor();
    await alanPage.context().clearCookies();
    await alanPage.waitForURL(/\/sign-in\?returnTo=%2F$|\/sign-in$/, { timeout: 20_000 });
    await alanPage.getByText('Your session has ended').waitFor();
    await alanPage.context().close();
  }, 120_000);

  it('an admin sets a global secret: a bad name is refused by the field, the value never comes back', async () => {
    const page = adaPage;
    await page.goto(`${up.url}/settings/secrets`);
    const global = page.getByRole('region', { name: 'Global secrets' });
    const form = global.locator('form');
    await form.getByLabel('Name').fill('1-not-a-name');
    await form.getByLabel('Value').fill('canary-value-e2e');
    await form.getByRole('button', { name: 'Save secret' }).click();
    const nameField = form.getByLabel('Name');
    await until(async () => (await nameField.getAttribute('aria-invalid')) === 'true', 'the name refused');
    expect((await up.client.listSecrets()).length).toBe(0);

    await nameField.fill('DEPLOY_TOKEN');
    await form.getByLabel('Value').fill('canary-value-e2e');
    await form.getByRole('radio', { name: /Setup only/ }).check();
    await form.getByRole('button', { name: 'Save secret' }).click();
    await global.getByRole('cell', { name: 'DEPLOY_TOKEN', exact: true }).waitFor();
    expect(await form.getByLabel('Value').inputValue()).toBe('');
    expect(await page.content()).not.toContain('canary-value-e2e');
    expect(await up.client.listSecrets()).toMatchObject([
      { name: 'DEPLOY_TOKEN', scope: 'setup', repo: null },
    ]);
    await screenshot(page, 'team-secrets');
    expect(await unlabelledControls(page)).toEqual([]);
  }, 60_000);

  it('signs out: back at sign-in, and the API answers 401', async () => {
    const page = adaPage;
    await page.goto(`${up.url}/`);
    await accountButton(page, ada.name).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByText('You have signed out.').waitFor();
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    expect((await fetchFromPage(page, '/api/me')).status).toBe(401);
    expect(await sessionCookie(page.context(), up.url)).toBeNull();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    await screenshot(page, 'team-signed-out');
    await page.context().close();
  }, 60_000);
});
