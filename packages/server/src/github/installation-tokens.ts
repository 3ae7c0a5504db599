/** A token GitHub minted for one installation, scoped to one repository. */
export interface InstallationToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** A token is replaced this long before GitHub would refuse it, so no git call starts with one about to lapse. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export function isFresh(token: InstallationToken | undefined, nowMs: number): token is InstallationToken {
  return token !== undefined && token.expiresAt - nowMs > REFRESH_BEFORE_EXPIRY_MS;
}

/**
 * Tokens per repository, minted on demand and reused until shortly before they expire. Callers
 * asking at once share one mint; `forget` drops one GitHub has refused (revoked early).
 */
export class InstallationTokenCache {
  private readonly tokens = new Map<string, InstallationToken>();
  private readonly minting = new Map<string, Promise<InstallationToken>>();

  constructor(
    private readonly mint: (key: string) => Promise<InstallationToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<InstallationToken> {
    const cached = this.tokens.get(key);
    if (isFresh(cached, this.now())) return cached;
    const pending = this.minting.get(key);
    if (pending) return pending;
    const minted = this.mint(key)
      .then((token) => {
        this.tokens.set(key, token);
        return token;
      })
      .finally(() => this.minting.delete(key));
    this.minting.set(key, minted);
    return minted;
  }

  forget(key: string): void {
    this.tokens.delete(key);
  }
}
