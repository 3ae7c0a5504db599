import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { webRoot } from './build.js';

export const CHROMIUM = process.env.NIGHTSHIFT_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `[web e2e] skipped: ${CHROMIUM} not found (apt-get install -y chromium, or set NIGHTSHIFT_CHROMIUM)`,
  );
}

const screenshotDir = path.resolve(webRoot, '..', '..', 'test-results', 'screenshots');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface Person {
  name: string;
  email: string;
}

/** A browser context whose local identity is already saved, as after the first visit's dialog. */
export async function contextAs(
  browser: Browser,
  person: Person | null,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  // Fail with Playwright's own message (what it waited for) well before the test's timeout.
  context.setDefaultTimeout(10_000);
  if (person) {
    await context.addInitScript(
      (p) => localStorage.setItem('nightshift.identity', JSON.stringify(p)),
      person,
    );
  }
  return context;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** Polls until `check` returns true (Playwright's expect is not available with vitest). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
