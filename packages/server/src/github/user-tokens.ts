import { open, seal, SecretUnreadable, type SecretSlot } from '../secrets/cipher.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

/**
 * People's GitHub user tokens (from signing in with GitHub), sealed at rest with the secrets key
 * and bound to their person: used only to open pull requests as them, never handed out.
 */
export class GitHubUserTokens {
  constructor(
    private readonly store: Store,
    private readonly key: Buffer,
    private readonly log: Logger,
  ) {}

  async remember(personId: string, token: string): Promise<void> {
    await this.store.people.setSealedGithubToken(personId, seal(this.key, slotOf(personId), token));
  }

  async tokenFor(personId: string): Promise<string | undefined> {
    const sealed = await this.store.people.sealedGithubToken(personId);
    if (!sealed) return undefined;
    try {
      return open(this.key, slotOf(personId), sealed);
    } catch (err) {
      if (!(err instanceof SecretUnreadable)) throw err;
      // Sealed under another key: as good as none; the next GitHub sign-in stores a fresh one.
      this.log.warn({ personId }, 'stored GitHub user token does not open with this key; forgetting it');
      await this.forget(personId);
      return undefined;
    }
  }

  async forget(personId: string): Promise<void> {
    await this.store.people.setSealedGithubToken(personId, null);
  }
}

function slotOf(personId: string): SecretSlot {
  return { name: 'github_user_token', repo: '', scope: `person:${personId}` };
}
