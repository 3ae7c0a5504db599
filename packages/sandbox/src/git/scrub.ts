/** Removes secrets from text shown to people (events, errors, logs). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  // Userinfo in any URL, whatever produced it (a script echoing a remote, git quoting a URL).
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@:]+(?::[^/\s@]*)?@/gi, '$1[redacted]@');
}
