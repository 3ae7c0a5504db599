import type { BrowserContext, Page } from 'playwright-core';

/**
 * Signs in as a person does: the app's sign-in button, the identity provider's own login page
 * (the testkit issuer's: an Email field and "Sign in"), and back through the server's callback.
 * Resolves once the browser is back on `appUrl`'s origin.
 */
export async function signInThroughIssuer(page: Page, appUrl: string, email: string): Promise<void> {
  const app = new URL(appUrl).origin;
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await page.waitForURL((url) => url.origin !== app);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === app);
}

/** The session cookie this context holds for the app, if any. */
export async function sessionCookie(context: BrowserContext, appUrl: string): Promise<string | null> {
  const cookies = await context.cookies(appUrl);
  return cookies.find((c) => c.name === 'nightshift_session')?.value ?? null;
}

/** A same-origin request from the page itself, as its own scripts would send it (cookie and all). */
export function fetchFromPage(
  page: Page,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ path, method, body }) => {
      const res = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
    { path, method: init.method ?? 'GET', body: init.body },
  );
}
