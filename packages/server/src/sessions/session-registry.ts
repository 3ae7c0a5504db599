import { EMPTY_USAGE } from '@nightshift/protocol';
import type { Artifact, CreateSessionBody, Message, Session, SessionEvent } from '@nightshift/protocol';
import type { Logger } from '../log.js';
import { SessionActor, type ActorDeps } from './session-actor.js';
import { NotFound, UnusableRepository } from './errors.js';
import { eventView, messageView, sessionView } from './views.js';
import { newId, shortId } from '../ids.js';
import { probeRepo, RepoUnreadable, type RepoInfo } from '../scm/repo-probe.js';

export interface RegistryOptions extends ActorDeps {
  /** How long a quiet actor with no listeners stays in memory. */
  idleMs: number;
  listenerCount(sessionId: string): number;
  probe?: (repo: string, baseBranch: string | undefined) => Promise<RepoInfo>;
  branchPrefix?: string;
}

/**
 * Finds the actor for a session, loading it on demand and evicting it when it has been quiet
 * for a while. Reads of sessions that are not live go straight to the store.
 */
export class SessionRegistry {
  private readonly actors = new Map<string, SessionActor>();
  private readonly loading = new Map<string, Promise<SessionActor | undefined>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: RegistryOptions) {
    this.sweeper = setInterval(() => this.evictIdle(), Math.max(1000, Math.min(options.idleMs, 30_000)));
    this.sweeper.unref();
  }

  get log(): Logger {
    return this.options.log;
  }

  async create(body: CreateSessionBody): Promise<Session> {
    let info: RepoInfo;
    try {
      info = await (this.options.probe ?? probeRepo)(body.repo, body.baseBranch);
    } catch (err) {
      if (err instanceof RepoUnreadable) throw new UnusableRepository(err.message);
      throw err;
    }
    const id = newId('ses');
    const now = new Date().toISOString();
    await this.options.store.sessions.insert({
      id,
      repo: body.repo,
      baseBranch: body.baseBranch ?? info.defaultBranch,
      branch: `${this.options.branchPrefix ?? 'nightshift/'}${shortId(id)}`,
      title: body.title?.trim() || null,
      model: body.model ?? null,
      status: 'created',
      sandboxStatus: 'none',
      statusBeforeArchive: null,
      createdAt: now,
      updatedAt: now,
    });
    const actor = await this.get(id);
    actor!.emit({ type: 'session_status', data: { status: 'created' } });
    return actor!.view();
  }

  /** The live actor for a session, or undefined when there is no such session. */
  async get(id: string): Promise<SessionActor | undefined> {
    const live = this.actors.get(id);
    if (live) return live;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = SessionActor.load(id, this.options).then((actor) => {
        this.loading.delete(id);
        if (actor) this.actors.set(id, actor);
        return actor;
      });
      pending.catch(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  async require(id: string): Promise<SessionActor> {
    const actor = await this.get(id);
    if (!actor) throw new NotFound(`session ${id}`);
    return actor;
  }

  /** Session as the API shows it, without waking an actor for it. */
  async view(id: string): Promise<Session | undefined> {
    const live = this.actors.get(id);
    if (live) return live.view();
    const record = await this.options.store.sessions.get(id);
    if (!record) return undefined;
    const messages = await this.options.store.messages.list(id);
    const usage = await this.options.store.usage.totals({ sessionId: id });
    return sessionView(
      record,
      {
        running: messages.find((m) => m.status === 'running')?.id ?? null,
        queued: messages.filter((m) => m.status === 'queued').map((m) => m.id),
      },
      usage,
    );
  }

  async list(status: 'active' | 'archived' | undefined): Promise<Session[]> {
    // "active" means not archived: a session nobody has prompted yet (`created`) is active work too.
    const records = await this.options.store.sessions.list({
      status: status === 'active' ? 'active-or-created' : status,
    });
    const unfinished = await this.options.store.messages.listUnfinished();
    const usage = await this.options.store.usage.totalsBySession(records.map((r) => r.id));
    return records.map((r) => {
      const live = this.actors.get(r.id);
      if (live) return live.view();
      const mine = unfinished.filter((m) => m.sessionId === r.id);
      return sessionView(
        r,
        {
          running: mine.find((m) => m.status === 'running')?.id ?? null,
          queued: mine.filter((m) => m.status === 'queued').map((m) => m.id),
        },
        usage.get(r.id) ?? EMPTY_USAGE,
      );
    });
  }

  /** The session's prompts, oldest first. */
  async messages(id: string): Promise<Message[]> {
    const actor = await this.require(id);
    return (await this.options.store.messages.list(actor.id)).map(messageView);
  }

  async artifacts(id: string): Promise<Artifact[]> {
    const actor = await this.require(id);
    return this.options.store.artifacts.list(actor.id);
  }

  /** Stored events after `after`, without waking an actor for the session. */
  async events(id: string, after: number, limit: number): Promise<SessionEvent[]> {
    if (!(await this.options.store.sessions.get(id))) throw new NotFound(`session ${id}`);
    return this.timelinePage(id, after, limit);
  }

  /**
   * The same for a follower replaying the timeline: no check that the session exists on every
   * page, since a deleted session reaches followers through the hub and simply has no events.
   */
  async timelinePage(sessionId: string, after: number, limit: number): Promise<SessionEvent[]> {
    return (await this.options.store.events.list(sessionId, after, limit)).map(eventView);
  }

  async delete(id: string): Promise<void> {
    const actor = await this.require(id);
    await actor.delete();
    this.actors.delete(id);
  }

  /** After a start: every session with unfinished prompts resumes (or fails them with a reason). */
  async recoverAll(): Promise<number> {
    const unfinished = await this.options.store.messages.listUnfinished();
    const ids = [...new Set(unfinished.map((m) => m.sessionId))];
    for (const id of ids) {
      const actor = await this.get(id);
      await actor?.recover();
    }
    return ids.length;
  }

  /** Sessions with an actor in memory now. */
  liveCount(): number {
    return this.actors.size;
  }

  publish(sessionId: string, events: SessionEvent[]): void {
    this.options.publish(sessionId, events);
  }

  /** Waits for every live session's timeline to reach the store. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.actors.values()].map((a) => a.flushed()));
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.actors.values()].map((a) => a.close()));
    this.actors.clear();
  }

  private evictIdle(): void {
    const now = Date.now();
    for (const [id, actor] of this.actors) {
      if (
        actor.isQuiet() &&
        now - actor.lastActivity > this.options.idleMs &&
        this.options.listenerCount(id) === 0
      ) {
        this.actors.delete(id);
        void actor.close();
      }
    }
  }
}
