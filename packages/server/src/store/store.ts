import type { Artifact, Author, MessageStatus, SandboxStatus, SessionStatus } from '@nightshift/protocol';

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
