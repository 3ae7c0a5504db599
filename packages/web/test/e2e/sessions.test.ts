import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ensureBuilt } from './support/build.js';
import { makeRepo, startE2EServer, type E2EServer } from './support/server.js';
import { contextAs, hasChromium, launch, screenshot, tabTo, unlabelledControls } from './support/browser.js';

const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };

// Against the real server with no model configured: prompts fail fast, which is all these need.
describe.skipIf(!hasChromium)('web UI: sessions, form, identity (no model)', () => {
  let server: E2EServer;
  let browser: Browser;
  let repo: string;

  beforeAll(async () => {
    await ensureBuilt();
    [server, browser] = await Promise.all([startE2EServer(), launch()]);
    repo = makeRepo();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for a name and email on the first visit and remembers them', async () => {
    const context = await contextAs(browser, null);
    const page = await context.newPage();
    await page.goto(server.url);
    const dialog = page.getByRole('dialog', { name: 'Who are you?' });
    await dialog.waitFor();
    await screenshot(page, 'identity-dialog');
    await dialog.getByLabel('Name').fill('Grace Hopper');
    await dialog.getByLabel('Email').fill('not-an-email');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('must be an email address').waitFor();
    await dialog.getByLabel('Email').fill('grace@example.com');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.reload();
    await page.getByRole('button', { name: /Grace Hopper/ }).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await context.close();
  });

  it('shows the server error next to the Repository field', async () => {
    const context = await contextAs(browser, ada);
    const page = await context.newPage();
    await page.goto(`${server.url}/new`);
    const repoInput = page.getByLabel('Repository');
    await repoInput.fill('not a repository');
    await page.getByRole('button', { name: 'Create session' }).click();
    await page.getByText('must be a git URL').waitFor();
    expect(await repoInput.getAttribute('aria-invalid')).toBe('true');
    expect(await repoInput.evaluate((el) => el === document.activeElement)).toBe(true);
    // A well-formed path that is not a repository: the server's 422.
    await repoInput.fill('/definitely/not/here');
    await page.getByRole('button', { name: 'Create session' }).click();
    await page.getByText('does not exist').waitFor();
    await screenshot(page, 'new-session-error');
    expect(new URL(page.url()).pathname).toBe('/new');
    await context.close();
  });

  it('creates a session through the form, sends a prompt and shows why it failed', async () => {
    const context = await contextAs(browser, ada);
    const page = await context.newPage();
    await page.goto(server.url);
    await page
      .getByRole('button', { name: 'New session' })
      .or(page.getByRole('link', { name: 'New session' }))
      .click();
    await page.getByLabel('Repository').fill(repo);
    await page.getByLabel('Title').fill('Fix the flaky login test');
    await screenshot(page, 'new-session');
    await page.getByRole('button', { name: 'Create session' }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    await page.getByRole('heading', { name: 'Fix the flaky login test' }).waitFor();

    // Connected (presence announced), so typing below really sends `typing` frames.
    await page.getByRole('region', { name: 'Participants' }).getByText(ada.name, { exact: true }).waitFor();
    const prompt = page.getByLabel('Prompt');
    await prompt.fill('Make the login test');
    await prompt.press('Shift+Enter');
    await prompt.pressSequentially('deterministic');
    expect(await prompt.inputValue()).toBe('Make the login test\ndeterministic');
    await prompt.press('Enter'); // Enter sends
    const timeline = page.getByRole('log', { name: 'Timeline' });
    await timeline.getByText('deterministic').waitFor();
    await timeline.getByRole('article', { name: `Message from ${ada.name}` }).waitFor();
    await timeline.getByText('No model is configured').waitFor();
    expect(await prompt.inputValue()).toBe('');
    // Typing warms a sandbox only when a prompt could use it: with no model, none was started.
    const sessionId = new URL(page.url()).pathname.split('/').pop()!;
    const events = await server.client.events(sessionId);
    expect(events.map((e) => e.type)).not.toContain('sandbox_spawning');
    expect(await page.getByRole('status', { name: 'Sandbox status' }).textContent()).toContain('none');
    await screenshot(page, 'session-failed-prompt');

    // Back on the list the session is there with its branch and status.
    await page.getByRole('link', { name: 'Back to sessions' }).click();
    const row = page.getByRole('link', { name: /Fix the flaky login test/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/nightshift\//);
    await screenshot(page, 'sessions-list');
    await context.close();
  });

  it('archives and unarchives; the tabs follow without a reload', async () => {
    const created = await server.client.createSession({ repo, title: 'Archive me' });
    const context = await contextAs(browser, ada);
    const list = await context.newPage();
    await list.goto(server.url);
    await list.getByRole('link', { name: /Archive me/ }).waitFor();

    const page = await context.newPage();
    await page.goto(`${server.url}/sessions/${created.id}`);
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    await page.getByRole('button', { name: 'Unarchive' }).waitFor();
    expect(await page.getByLabel('Prompt').isDisabled()).toBe(true);

    // The list page, left open, drops it from Active by polling; Archived shows it.
    await list.getByRole('link', { name: /Archive me/ }).waitFor({ state: 'detached', timeout: 10_000 });
    await list.getByRole('tab', { name: 'Archived' }).click();
    await list.getByRole('link', { name: /Archive me/ }).waitFor();

    await page.getByRole('button', { name: 'Unarchive' }).click();
    await page.getByRole('button', { name: 'Archive', exact: true }).waitFor();
    await context.close();
  });

  it('works from the keyboard alone, and every control has a name', async () => {
    const context = await contextAs(browser, ada);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('tab', { name: 'Active' }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);

    await tabTo(page, /^New session$/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/new$/);
    expect(await unlabelledControls(page)).toEqual([]);
    await tabTo(page, /^Repository/);
    await page.keyboard.type(repo);
    await tabTo(page, /^Title/);
    await page.keyboard.type('Keyboard only');
    await page.keyboard.press('Enter'); // submits the form
    await page.waitForURL(/\/sessions\/[^/]+$/);
    await page.getByRole('heading', { name: 'Keyboard only' }).waitFor();

    await tabTo(page, /^Prompt$/);
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    const timeline = page.getByRole('log', { name: 'Timeline' });
    await timeline.getByText('Typed without a mouse').waitFor();
    await timeline.getByText('No model is configured').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);

    await tabTo(page, /^Archive$/);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Unarchive' }).waitFor();

    // Back to the list; the arrow keys move between the tabs.
    await tabTo(page, /^Back to sessions$/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^Active$/);
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Archived' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('link', { name: /Keyboard only/ }).waitFor();
    await context.close();
  });

  it('is usable at phone width and in dark mode', async () => {
    const created = await server.client.createSession({ repo, title: 'On the phone' });
    const context = await contextAs(browser, ada, {
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/sessions/${created.id}`);
    await page.getByLabel('Prompt').fill('Try it on a phone');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('log', { name: 'Timeline' }).getByText('No model is configured').waitFor();
    // Nothing wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const send = await page.getByRole('button', { name: 'Send' }).boundingBox();
    expect(send && send.x + send.width).toBeLessThanOrEqual(390);
    await screenshot(page, 'session-phone-dark');
    await page.goto(server.url);
    await page.getByRole('link', { name: /On the phone/ }).waitFor();
    await screenshot(page, 'sessions-list-phone-dark');
    await context.close();
  });
});
