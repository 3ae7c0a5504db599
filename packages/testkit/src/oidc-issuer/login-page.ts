/** The issuer's own sign-in page: one "Email" field and a "Sign in" button, for scripts and browsers alike. */
export function loginPage(action: string, options: { error?: string; email?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test identity provider — sign in</title></head>
<body>
<main>
<h1>Test identity provider</h1>
${options.error ? `<p role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" value="${escapeHtml(options.email ?? '')}" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
