import type { Kysely, Selectable } from 'kysely';
import type { Role } from '@nightshift/protocol';
import type { Database, PeopleTable } from './schema.js';
import type { PersonRecord, PeopleRepo, PersonSignIn } from './store.js';

export class People implements PeopleRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Name, role and GitHub details follow the identity provider at every sign-in; a sign-in that
   * names no GitHub login (OIDC) keeps the GitHub account the person linked.
   */
  async upsert(p: PersonSignIn): Promise<PersonRecord> {
    const email = p.email.toLowerCase();
    const updated = {
      name: p.name,
      role: p.role,
      ...(p.githubLogin !== null ? { github_login: p.githubLogin } : {}),
      github_orgs: JSON.stringify(p.githubOrgs),
      last_seen_at: p.at,
    };
    await this.db
      .insertInto('people')
      .values({
        id: p.id,
        email,
        created_at: p.at,
        github_token: null,
        github_login: p.githubLogin,
        ...updated,
      })
      .onConflict((oc) => oc.column('email').doUpdateSet(updated))
      .execute();
    return (await this.getByEmail(email))!;
  }

  async get(id: string): Promise<PersonRecord | undefined> {
    const row = await this.db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
    return row && personFromRow(row);
  }

  async getByEmail(email: string): Promise<PersonRecord | undefined> {
    const row = await this.db
      .selectFrom('people')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    return row && personFromRow(row);
  }

  async getByGithubLogin(login: string): Promise<PersonRecord | undefined> {
    const row = await this.db
      .selectFrom('people')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['github_login']), '=', login.toLowerCase()))
      .executeTakeFirst();
    return row && personFromRow(row);
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('people').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async sealedGithubToken(id: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('people')
      .select('github_token')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.github_token ?? null;
  }

  async setGithubLogin(id: string, login: string | null): Promise<void> {
    const cleared = login === null ? { github_token: null } : {};
    await this.db
      .updateTable('people')
      .set({ github_login: login, ...cleared })
      .where('id', '=', id)
      .execute();
  }

  async setSealedGithubToken(id: string, sealed: string | null): Promise<void> {
    await this.db.updateTable('people').set({ github_token: sealed }).where('id', '=', id).execute();
  }
}

function personFromRow(r: Selectable<PeopleTable>): PersonRecord {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role as Role,
    githubLogin: r.github_login,
    githubOrgs: JSON.parse(r.github_orgs) as string[],
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
  };
}
