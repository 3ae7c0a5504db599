/**
 * Who may see and change which secrets, and the sealing on the way in and out. Values go in
 * here and come out only for a sandbox (`valuesForRepository`); every answer to a person is names.
 */
import type { PutSecretBody, Secret } from '@nightshift/protocol';
import { isAdmin, type Principal } from '../auth/principal.js';
import { normaliseRepo } from '../auth/repo-access.js';
import { Forbidden, NotFound } from '../sessions/errors.js';
import type { Logger } from '../log.js';
import type { SecretRecord, Store } from '../store/store.js';
import { open, seal } from './cipher.js';
import { mergeSandboxSecrets, type SandboxSecrets } from './for-sandbox.js';

export interface SecretsServiceOptions {
  store: Store;
  key: Buffer;
  /** Whether the deployment lets its members use this repository (team mode's allowed repositories). */
  repoAllowed: (repo: string) => boolean;
  log: Logger;
  now?: () => Date;
}

export class SecretsService {
  constructor(private readonly options: SecretsServiceOptions) {}

  async put(principal: Principal, name: string, body: PutSecretBody): Promise<Secret> {
    const repo = slotOf(body.repo);
    const scope = body.scope ?? 'agent';
    this.mayChange(principal, repo);
    const record: SecretRecord = {
      name,
      repo,
      scope,
      sealed: seal(this.options.key, { name, repo, scope }, body.value),
      updatedAt: (this.options.now?.() ?? new Date()).toISOString(),
      updatedBy: principal.kind === 'person' ? principal.person.email : null,
    };
    await this.options.store.secrets.put(record);
    this.options.log.info({ secret: name, repo: repo || null, scope, by: record.updatedBy }, 'secret set');
    return view(record);
  }

  async list(principal: Principal, given: string | undefined): Promise<Secret[]> {
    const repo = slotOf(given);
    // Global names are for everyone signed in to see; a repository's, for those who may use it.
    if (repo) this.mayUse(principal, repo);
    return (await this.options.store.secrets.list(repo)).map(view);
  }

  async delete(principal: Principal, name: string, given: string | undefined): Promise<void> {
    const repo = slotOf(given);
    this.mayChange(principal, repo);
    const deleted = await this.options.store.secrets.delete(name, repo);
    if (!deleted) throw new NotFound(`secret ${name}${repo ? ` of ${repo}` : ''}`);
    this.options.log.info({ secret: name, repo: repo || null }, 'secret deleted');
  }

  /**
   * The values a sandbox of `repo` gets: the global secrets, overridden by name by the
   * repository's. A value that does not open (another key) throws `SecretUnreadable`, naming it.
   */
  async valuesForRepository(repo: string): Promise<SandboxSecrets> {
    const decrypt = (records: SecretRecord[]) =>
      records.map((r) => ({ name: r.name, scope: r.scope, value: open(this.options.key, r, r.sealed) }));
    const [global, own] = await Promise.all([
      this.options.store.secrets.list(''),
      this.options.store.secrets.list(slotOf(repo)),
    ]);
    return mergeSandboxSecrets(decrypt(global), decrypt(own));
  }

  private mayChange(principal: Principal, repo: string): void {
    if (repo === '') {
      if (!isAdmin(principal)) throw new Forbidden('only an admin may change global secrets', 'admin_only');
      return;
    }
    this.mayUse(principal, repo);
  }

  private mayUse(principal: Principal, repo: string): void {
    if (isAdmin(principal) || this.options.repoAllowed(repo)) return;
    throw new Forbidden(`repository ${repo} is not one this deployment allows`, 'repo_not_allowed');
  }
}

/**
 * Where a repository's secrets are kept: the repository as the allow-list compares it, so
 * `…/app`, `…/app/` and `…/app.git` share theirs; '' for the global ones.
 */
function slotOf(repo: string | undefined): string {
  return repo ? normaliseRepo(repo) : '';
}

function view(record: SecretRecord): Secret {
  return { name: record.name, repo: record.repo || null, scope: record.scope, updatedAt: record.updatedAt };
}
