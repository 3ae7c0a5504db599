/**
 * The agent's reply streams as text deltas, and a secret value can arrive split across two of
 * them, which masking each delta alone would let through. This holds back, per text part, the
 * tail that could still be the start of a value, and releases it masked once it cannot (more
 * text came) or the part is over. Pure: deltas in, deltas out.
 */
import { secretForms, MIN_MASKED_LENGTH, type SecretMasker } from '@nightshift/protocol';

export class StreamedTextMasker {
  private readonly held = new Map<string, string>();
  private readonly forms: string[];
  /** A value's form can start at most this many characters before the end of the text so far. */
  private readonly holdBack: number;

  constructor(
    secrets: Record<string, string>,
    private readonly mask: SecretMasker,
  ) {
    this.forms = Object.values(secrets)
      .filter((value) => value.length >= MIN_MASKED_LENGTH)
      .flatMap((value) => secretForms(value));
    this.holdBack = Math.max(0, ...this.forms.map((form) => form.length - 1));
  }

  /** What of a part's text may go out now, masked; '' while all of it is held. */
  delta(partId: string, delta: string): string {
    if (this.holdBack === 0) return delta;
    const text = (this.held.get(partId) ?? '') + delta;
    let cut = Math.max(0, text.length - this.holdBack);
    // A whole value that straddles the cut goes out with the text after it, masked as one.
    for (const form of this.forms) {
      for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1))
        if (at < cut && at + form.length > cut) cut = at;
    }
    this.held.set(partId, text.slice(cut));
    return this.mask(text.slice(0, cut));
  }

  /** Everything still held, by part, masked; the parts are forgotten. */
  flush(): Array<{ partId: string; delta: string }> {
    const out = [...this.held]
      .filter(([, text]) => text !== '')
      .map(([partId, text]) => ({ partId, delta: this.mask(text) }));
    this.held.clear();
    return out;
  }
}
