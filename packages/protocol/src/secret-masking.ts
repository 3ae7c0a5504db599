/**
 * Secret values out of anything shown: each value, and its base64 and URL-encoded forms, becomes
 * `[secret:NAME]`. The supervisor masks what leaves a sandbox; the control plane masks again what
 * it appends to a timeline. Values shorter than 4 characters are left alone: masking `a` or `42`
 * everywhere would garble all output and protect nothing.
 */

export const MIN_MASKED_LENGTH = 4;

/** Text in, text out, with every form of every secret value replaced by its name. */
export type SecretMasker = (text: string) => string;

export function createSecretMasker(secrets: Record<string, string>): SecretMasker {
  const forms: Array<{ form: string; name: string }> = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (value.length < MIN_MASKED_LENGTH) continue;
    for (const form of new Set([
      value,
      base64(value),
      base64(value).replace(/=+$/, ''),
      encodeURIComponent(value),
    ]))
      forms.push({ form, name });
  }
  if (forms.length === 0) return (text) => text;
  // Longest first, so a value that contains another is masked whole.
  forms.sort((a, b) => b.form.length - a.form.length);
  return (text) => {
    let out = text;
    for (const { form, name } of forms)
      if (out.includes(form)) out = out.split(form).join(`[secret:${name}]`);
    return out;
  };
}

/** Every string inside a JSON-like value masked (tool inputs are objects). */
export function maskDeep<T>(value: T, mask: SecretMasker): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskDeep(item, mask)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        mask(key),
        maskDeep(item, mask),
      ]),
    ) as T;
  return value;
}

/** The forms a value takes that a program may print, beside the value itself. */
export function secretForms(value: string): string[] {
  return [...new Set([value, base64(value), encodeURIComponent(value)])];
}

// No Buffer: the protocol runs in browsers too.
function base64(value: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
