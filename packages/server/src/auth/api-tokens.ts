import type { TokenCreated, TokenInfo } from '@nightshift/protocol';
import type { Store } from '../store/store.js';
import { NotFound, Unauthenticated } from '../sessions/errors.js';
import { newId } from '../ids.js';
import { credentialHash, newApiToken } from './credentials.js';
import type { Person } from './principal.js';

/** last_used_at is written at most this often: a busy script must not turn reads into writes. */
const TOUCH_EVERY_MS = 60_000;

/** API tokens for the CLI and scripts: shown once, stored as a hash, named, revocable. */
export class ApiTokenService {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(owner: Person, name: string): Promise<TokenCreated> {
    const token = newApiToken();
    const record = {
      id: newId('tok'),
      personId: owner.id,
      name,
      hash: credentialHash(token),
      createdAt: this.now().toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.store.apiTokens.insert(record);
    return { id: record.id, name, token, createdAt: record.createdAt };
  }

  /** `everyone`: an admin's view of all tokens; otherwise the person's own. */
  async list(viewer: Person, everyone: boolean): Promise<TokenInfo[]> {
    const tokens = await this.store.apiTokens.listActive(everyone ? {} : { personId: viewer.id });
    return tokens.map((t) => ({
      id: t.id,
      name: t.name,
      createdAt: t.createdAt,
      lastUsedAt: t.lastUsedAt,
      owner: t.owner,
    }));
  }

  /** A token someone else owns is, to a member, one that does not exist. */
  async revoke(viewer: Person, id: string): Promise<void> {
    const token = await this.store.apiTokens.get(id);
    if (!token || token.revokedAt !== null || (token.personId !== viewer.id && viewer.role !== 'admin')) {
      throw new NotFound(`token ${id}`);
    }
    await this.store.apiTokens.revoke(id, this.now().toISOString());
  }

  /** Who a presented token belongs to: its owner's id and the token's id. */
  async resolve(token: string): Promise<{ personId: string; tokenId: string }> {
    const record = await this.store.apiTokens.getByHash(credentialHash(token));
    if (!record) throw new Unauthenticated('this API token is not known to this server');
    if (record.revokedAt !== null) throw new Unauthenticated('this API token was revoked');
    const now = this.now();
    if (record.lastUsedAt === null || now.getTime() - Date.parse(record.lastUsedAt) >= TOUCH_EVERY_MS) {
      await this.store.apiTokens.touch(record.id, now.toISOString());
    }
    return { personId: record.personId, tokenId: record.id };
  }
}
