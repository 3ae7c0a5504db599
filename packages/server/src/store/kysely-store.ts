import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type {
  ArtifactRepo,
  EventRepo,
  MessageRepo,
  SandboxRepo,
  SecretRepo,
  SessionRepo,
  Store,
  UsageRepo,
} from './store.js';
import { Sessions } from './session-repo.js';
import { Messages } from './message-repo.js';
import { Events } from './event-repo.js';
import { Artifacts } from './artifact-repo.js';
import { Sandboxes } from './sandbox-repo.js';
import { People } from './people-repo.js';
import { BrowserSessions } from './browser-session-repo.js';
import { ApiTokens } from './api-token-repo.js';
import { Secrets } from './secrets-repo.js';
import { ModelUsage } from './usage-repo.js';
import { GitHubDeliveries } from './github-delivery-repo.js';

/** The store over any Kysely dialect; dialect-specific setup lives in its own module. */
export class KyselyStore implements Store {
  readonly sessions: SessionRepo;
  readonly messages: MessageRepo;
  readonly events: EventRepo;
  readonly artifacts: ArtifactRepo;
  readonly sandboxes: SandboxRepo;
  readonly people: People;
  readonly browserSessions: BrowserSessions;
  readonly apiTokens: ApiTokens;
  readonly secrets: SecretRepo;
  readonly usage: UsageRepo;
  readonly githubDeliveries: GitHubDeliveries;

  constructor(private readonly db: Kysely<Database>) {
    this.sandboxes = new Sandboxes(db);
    this.people = new People(db);
    this.browserSessions = new BrowserSessions(db);
    this.apiTokens = new ApiTokens(db);
    this.secrets = new Secrets(db);
    this.usage = new ModelUsage(db);
    this.githubDeliveries = new GitHubDeliveries(db);
    this.sessions = new Sessions(db);
    this.messages = new Messages(db);
    this.events = new Events(db);
    this.artifacts = new Artifacts(db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
