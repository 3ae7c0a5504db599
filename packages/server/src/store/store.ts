import type {
  Artifact,
  Author,
  Role,
  MessageStatus,
  SandboxStatus,
  SessionStatus,
} from '@nightshift/protocol';

/**
 * Everything the control plane keeps. Session logic talks only to this interface, so a
 * PostgreSQL implementation can replace the SQLite one without touching it.
 */
export interface Store {
  sessions: SessionRepo;
  messages: MessageRepo;
  events: EventRepo;
  artifacts: ArtifactRepo;
  sandboxes: SandboxRepo;
  people: PeopleRepo;
  browserSessions: BrowserSessionRepo;
  apiTokens: ApiTokenRepo;
  secrets: SecretRepo;
  usage: UsageRepo;
  githubDeliveries: GitHubDeliveryRepo;
  close(): Promise<void>;
}

export interface SessionRecord {
  id: string;
  repo: string;
  baseBranch: string;
  branch: string;
  title: string | null;
  model: string | null;
  status: SessionStatus;
  sandboxStatus: SandboxStatus;
  statusBeforeArchive: SessionStatus | null;
  createdAt: string;
  updatedAt: string;
}

export interface MessageRecord {
  id: string;
  sessionId: string;
  position: number;
  text: string;
  author: Author;
  model: string | null;
  status: MessageStatus;
  error: string | null;
  clientRequestId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface StoredEvent {
  sessionId: string;
  seq: number;
  type: string;
  at: string;
  data: unknown;
}

export interface SessionRepo {
  insert(session: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  list(filter: { status?: SessionStatus | 'active-or-created' }): Promise<SessionRecord[]>;
  update(id: string, patch: Partial<Omit<SessionRecord, 'id' | 'createdAt'>>): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface MessageRepo {
  insert(message: MessageRecord): Promise<void>;
  get(sessionId: string, id: string): Promise<MessageRecord | undefined>;
  findByClientRequestId(sessionId: string, clientRequestId: string): Promise<MessageRecord | undefined>;
  list(sessionId: string): Promise<MessageRecord[]>;
  /** Messages not yet final in any session: what a restart must resume. */
  listUnfinished(): Promise<MessageRecord[]>;
  maxPosition(sessionId: string): Promise<number>;
  update(
    id: string,
    patch: Partial<Pick<MessageRecord, 'status' | 'error' | 'startedAt' | 'finishedAt'>>,
  ): Promise<void>;
}

/** How far a sandbox's bridge messages are applied (see `SandboxRecord.lastBridgeId`). */
export interface BridgeCheckpoint {
  sandboxId: string;
  lastBridgeId: number;
}

export interface EventRepo {
  /**
   * Appends in one transaction; all or nothing. Checkpoints are stored in the same transaction:
   * the events and the fact that the bridge messages behind them are applied cannot part.
   */
  append(events: StoredEvent[], checkpoints?: BridgeCheckpoint[]): Promise<void>;
  list(sessionId: string, after: number, limit: number): Promise<StoredEvent[]>;
  maxSeq(sessionId: string): Promise<number>;
}

export interface ArtifactRepo {
  /** One at a time per session (its actor sees to that): each takes the next position. */
  insert(sessionId: string, artifact: Artifact): Promise<void>;
  /** In the order they were inserted, which is the order of their artifact_created events. */
  list(sessionId: string): Promise<Artifact[]>;
  /** Artifacts of this type pointing at this URL, in any session (a pull request's sessions). */
  findByUrl(type: Artifact['type'], url: string): Promise<Array<{ sessionId: string; artifact: Artifact }>>;
  /** Replaces an artifact's data (a pull request's state follows GitHub); its place stays. */
  updateData(id: string, data: Record<string, unknown>): Promise<void>;
}

export interface SandboxRecord {
  id: string;
  sessionId: string;
  provider: string;
  tokenHash: string;
  status: string;
  handle: string | null;
  lastBridgeId: number;
  createdAt: string;
  endedAt: string | null;
}

export interface SandboxRepo {
  insert(sandbox: SandboxRecord): Promise<void>;
  get(id: string): Promise<SandboxRecord | undefined>;
  /** Sandboxes not yet ended, in any session. */
  listLive(): Promise<SandboxRecord[]>;
  update(
    id: string,
    patch: Partial<Pick<SandboxRecord, 'status' | 'handle' | 'lastBridgeId' | 'endedAt'>>,
  ): Promise<void>;
}

/** A secret as stored: sealed, never its value. `repo` is '' for a global one. */
export interface SecretRecord {
  name: string;
  repo: string;
  scope: 'agent' | 'setup';
  sealed: string;
  updatedAt: string;
  updatedBy: string | null;
}

export interface SecretRepo {
  /** Inserts, or replaces the one of the same name and repository. */
  put(secret: SecretRecord): Promise<void>;
  get(name: string, repo: string): Promise<SecretRecord | undefined>;
  /** The secrets of exactly this repository ('' = the global ones), by name. */
  list(repo: string): Promise<SecretRecord[]>;
  /** False when there was none. */
  delete(name: string, repo: string): Promise<boolean>;
}

/** One model call: who it was for and what it cost (see `ModelUsageTable`). */
export interface ModelUsageRecord {
  id: string;
  sessionId: string;
  messageId: string | null;
  authorEmail: string | null;
  authorName: string | null;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  priced: boolean;
  createdAt: string;
}

/** Which calls to sum; every field set narrows it. `since` is an ISO timestamp. */
export interface UsageFilter {
  sessionId?: string;
  messageId?: string;
  email?: string;
  since?: string;
}

export interface UsageTotalsRecord {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface UsageRepo {
  /** Once per id: inserting an id again changes nothing. */
  insert(record: ModelUsageRecord): Promise<void>;
  totals(filter: UsageFilter): Promise<UsageTotalsRecord>;
  /** Sessions without any call are absent. */
  totalsBySession(sessionIds: string[]): Promise<Map<string, UsageTotalsRecord>>;
  byPerson(filter: UsageFilter): Promise<Array<UsageTotalsRecord & { email: string; name: string }>>;
  /** `model` is `provider/model`. */
  byModel(filter: UsageFilter): Promise<Array<UsageTotalsRecord & { model: string }>>;
}

/** Someone who signed in to a team-mode deployment (email lowercased). */
export interface PersonRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  githubLogin: string | null;
  githubOrgs: string[];
  createdAt: string;
  lastSeenAt: string | null;
}

/** What a sign-in says about a person; `id` is used only when the email is new. */
export interface PersonSignIn {
  id: string;
  email: string;
  name: string;
  role: Role;
  githubLogin: string | null;
  githubOrgs: string[];
  at: string;
}

export interface PeopleRepo {
  /** Inserts, or updates the person with this email; answers the stored person. */
  upsert(person: PersonSignIn): Promise<PersonRecord>;
  get(id: string): Promise<PersonRecord | undefined>;
  getByEmail(email: string): Promise<PersonRecord | undefined>;
  /** The person who signed in with this GitHub login (case-insensitive, as GitHub's logins are). */
  getByGithubLogin(login: string): Promise<PersonRecord | undefined>;
  touch(id: string, at: string): Promise<void>;
  /** The person's GitHub user token as sealed by github/user-tokens.ts; kept out of PersonRecord so it never travels with them. */
  sealedGithubToken(id: string): Promise<string | null>;
  /** The GitHub account a person linked (OIDC sign-in); null unlinks it and forgets its token. */
  setGithubLogin(id: string, login: string | null): Promise<void>;
  /** null forgets it (GitHub refused it). */
  setSealedGithubToken(id: string, sealed: string | null): Promise<void>;
}

export interface BrowserSessionRecord {
  /** sha256 of the cookie value. */
  id: string;
  personId: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export interface BrowserSessionRepo {
  insert(session: BrowserSessionRecord): Promise<void>;
  get(id: string): Promise<BrowserSessionRecord | undefined>;
  extend(id: string, patch: { expiresAt: string; lastSeenAt: string }): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface ApiTokenRecord {
  id: string;
  personId: string;
  name: string;
  /** sha256 hex of the token. */
  hash: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type ApiTokenWithOwner = ApiTokenRecord & { owner: { name: string; email: string } };

export interface ApiTokenRepo {
  insert(token: ApiTokenRecord): Promise<void>;
  getByHash(hash: string): Promise<ApiTokenRecord | undefined>;
  get(id: string): Promise<ApiTokenRecord | undefined>;
  /** Tokens not revoked, newest first; one person's, or everyone's without `personId`. */
  listActive(filter: { personId?: string }): Promise<ApiTokenWithOwner[]>;
  touch(id: string, at: string): Promise<void>;
  revoke(id: string, at: string): Promise<void>;
}

/** A GitHub webhook delivery, by GitHub's delivery id; the payload is the raw body as received. */
export interface GitHubDeliveryRecord {
  id: string;
  event: string;
  payload: string;
  receivedAt: string;
  handledAt: string | null;
}

export interface GitHubDeliveryRepo {
  /** Records a delivery not seen before; false (and nothing written) when its id was. */
  accept(delivery: Omit<GitHubDeliveryRecord, 'handledAt'>): Promise<boolean>;
  /** Accepted but not yet handled (a crash came between), oldest first. */
  unhandled(): Promise<GitHubDeliveryRecord[]>;
  /** Its effects are done: the payload is dropped, the id kept so a redelivery is still known. */
  markHandled(id: string, at: string): Promise<void>;
  /** Forgets handled deliveries received before `before` (ISO); answers how many. */
  prune(before: string): Promise<number>;
}
