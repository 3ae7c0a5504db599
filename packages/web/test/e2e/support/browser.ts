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

/**
 * Visible controls (links, buttons, fields, anything focusable) without an accessible name: a
 * close approximation of the accessible-name computation, enough to catch an icon-only button
 * or a field with no label.
 */
export function unlabelledControls(page: Page): Promise<string[]> {
  // No named functions inside: tsx's keepNames would wrap them in a helper the page lacks.
  return page.evaluate(() => {
    const selector =
      'a[href], button, input, textarea, select, [role="button"], [role="tab"], [tabindex]:not([tabindex="-1"])';
    const missing: string[] = [];
    for (const el of document.querySelectorAll(selector)) {
      if (el.getClientRects().length === 0) continue;
      let name = el.getAttribute('aria-label') ?? '';
      const labelledBy = el.getAttribute('aria-labelledby');
      if (labelledBy) {
        for (const id of labelledBy.split(/\s+/)) name += document.getElementById(id)?.textContent ?? '';
      }
      for (const label of (el as HTMLInputElement).labels ?? []) name += label.textContent ?? '';
      // A field's own text is its value, not its name; a button's or link's text is its name.
      const isField =
        el instanceof HTMLInputElement ||
        el instanceof HTMLTextAreaElement ||
        el instanceof HTMLSelectElement;
      if (!isField) name += el.textContent ?? '';
      name += el.getAttribute('title') ?? '';
      name += el.querySelector('img[alt]')?.getAttribute('alt') ?? '';
      if (!name.trim()) missing.push(el.outerHTML.slice(0, 160));
    }
    return missing;
  });
}

/** Presses Tab until the focused element's accessible name matches (keyboard-only navigation). */
export async function tabTo(page: Page, name: RegExp, maxPresses = 30): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el) return '';
      const input = el as HTMLInputElement;
      const label = input.labels ? [...input.labels].map((l) => l.textContent).join(' ') : '';
      return el.getAttribute('aria-label') || label || el.textContent || '';
    });
    if (name.test(focused.trim())) return;
  }
  throw new Error(`Tab never reached a control named ${name}`);
}
