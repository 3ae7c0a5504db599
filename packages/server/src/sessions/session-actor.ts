import type {
  Artifact,
  Author,
  EventInput,
  Message,
  PromptAccepted,
  PromptBody,
  Session,
  SessionEvent,
  UsageTotals,
} from '@nightshift/protocol';
import { EMPTY_USAGE } from '@nightshift/protocol';
import type { BridgeCheckpoint, MessageRecord, SessionRecord, Store } from '../store/store.js';
import type { Logger } from '../log.js';
import type { AgentRunner, PromptResult, RunContext, SessionContext } from './agent-runner.js';
import { decide, positionOf, type QueueCommand, type QueueEffect, type QueueState } from './queue.js';
import { Timeline } from './timeline.js';
import { SessionRow } from './session-row.js';
import { NotFound, StateConflict } from './errors.js';
import { messageView, sessionView } from './views.js';
import { newId } from '../ids.js';
import { ArtifactLog } from './artifact-log.js';
import { ABANDONED_ERROR, RESTART_ERROR } from './prompt-failures.js';
import {
  promptCompleted,
  promptEnd,
  promptJob,
  queuedMessage,
  reattachPrompt,
  refusalOf,
  runPrompt,
} from './prompt-run.js';

export interface ActorDeps {
  store: Store;
  runner: AgentRunner;
  log: Logger;
  publish(sessionId: string, events: SessionEvent[]): void;
  defaultModel: string | null;
  defaultAuthor: Author;
  /** How long a stopped prompt may take to wind down before it is ended regardless. */
  stopGraceMs: number;
  /** Why a prompt may not run now (its author's model budget is used up), or null; see `models/`. */
  admitPrompt?: (message: MessageRecord) => Promise<string | null>;
  /** Books the model calls not yet booked (a relay's journal), before a prompt's usage is read. */
  settleUsage?: (sessionId: string) => Promise<void>;
}

/**
 * One live session. Every command on the session goes through this actor's mailbox, one at a
 * time, which makes it the only writer of the session's rows: no locks, no races on `seq` or
 * on the queue. Decisions come from the pure rules in `queue.ts`; this class carries them out.
 */
export class SessionActor {
  private mailbox: Promise<unknown> = Promise.resolve();
  private queue: QueueState;
  private readonly row: SessionRow;
  private readonly timeline: Timeline;
  private readonly artifacts: ArtifactLog;
  private readonly aborts = new Map<string, AbortController>();
  private deleted = false;
  private commandsInFlight = 0;
  private usage: UsageTotals = EMPTY_USAGE;
  lastActivity = Date.now();

  private constructor(
    session: SessionRecord,
    queued: MessageRecord[],
    private nextPosition: number,
    lastSeq: number,
    private readonly deps: ActorDeps,
  ) {
    this.row = new SessionRow(session, deps.store.sessions, deps.log);
    const running = queued.find((m) => m.status === 'running');
    this.queue = {
      status: session.status,
      running: running?.id ?? null,
      queued: queued.filter((m) => m.status === 'queued').map((m) => m.id),
    };
    this.timeline = new Timeline(
      session.id,
      deps.store.events,
      lastSeq,
      (events) => deps.publish(session.id, events),
      deps.log,
    );
    this.artifacts = new ArtifactLog(session.id, deps.store.artifacts, (artifact) =>
      this.emit({ type: 'artifact_created', data: artifact }),
    );
  }

  static async load(id: string, deps: ActorDeps): Promise<SessionActor | undefined> {
    const session = await deps.store.sessions.get(id);
    if (!session) return undefined;
    const messages = await deps.store.messages.list(id);
    const unfinished = messages.filter((m) => m.status === 'queued' || m.status === 'running');
    const lastSeq = await deps.store.events.maxSeq(id);
    const maxPosition = messages.reduce((max, m) => Math.max(max, m.position), 0);
    const actor = new SessionActor(session, unfinished, maxPosition + 1, lastSeq, deps);
    actor.usage = await deps.store.usage.totals({ sessionId: id });
    return actor;
  }

  get id(): string {
    return this.row.record.id;
  }

  get record(): SessionRecord {
    return this.row.record;
  }

  get seq(): number {
    return this.timeline.seq;
  }

  view(): Session {
    const queue = { running: this.queue.running, queued: [...this.queue.queued] };
    return sessionView(this.row.record, queue, this.usage);
  }

  /** True when nothing runs or waits, so the actor can leave memory. */
  isQuiet(): boolean {
    return (
      this.queue.running === null &&
      this.queue.queued.length === 0 &&
      this.aborts.size === 0 &&
      this.commandsInFlight === 0 &&
      this.timeline.idle()
    );
  }

  flushed(): Promise<void> {
    return this.timeline.flushed();
  }

  /** Appends to the timeline from outside a command (e.g. the first event of a new session). */
  emit(event: EventInput, checkpoint?: BridgeCheckpoint): void {
    this.timeline.append(event, checkpoint);
    this.row.follow(event);
  }

  submit(body: PromptBody): Promise<PromptAccepted> {
    return this.exec(async () => {
      if (body.clientRequestId) {
        const earlier = await this.deps.store.messages.findByClientRequestId(this.id, body.clientRequestId);
        if (earlier) return this.accepted(earlier.id, earlier.status);
      }
      const messageId = newId('msg');
      const decision = this.decide({ type: 'submit', messageId });
      const author = body.author ?? this.deps.defaultAuthor;
      const at = { id: messageId, sessionId: this.id, position: this.nextPosition++ };
      await this.deps.store.messages.insert(queuedMessage(at, body, author));
      this.queue = decision.state;
      this.emit({
        type: 'prompt_queued',
        data: { messageId, author, position: decision.position ?? 0, text: body.text },
      });
      await this.apply(decision.effects);
      return this.accepted(messageId, decision.position === 0 ? 'running' : 'queued');
    });
  }

  cancel(messageId: string): Promise<Message> {
    return this.exec(async () => {
      const message = await this.deps.store.messages.get(this.id, messageId);
      if (!message) throw new NotFound(`prompt ${messageId}`);
      const decision = this.decide({ type: 'cancel', messageId });
      this.queue = decision.state;
      await this.apply(decision.effects);
      return messageView((await this.deps.store.messages.get(this.id, messageId))!);
    });
  }

  stop(clearQueue: boolean): Promise<void> {
    return this.exec(async () => {
      const decision = this.decide({ type: 'stop', clearQueue });
      this.queue = decision.state;
      await this.apply(decision.effects);
    });
  }

  archive(): Promise<Session> {
    return this.exec(async () => {
      const decision = this.decide({ type: 'archive' });
      this.queue = decision.state;
      await this.row.rememberStatusBeforeArchive();
      await this.apply(decision.effects);
      return this.view();
    });
  }

  unarchive(): Promise<Session> {
    return this.exec(async () => {
      const restoreTo = this.row.record.statusBeforeArchive === 'active' ? 'active' : 'created';
      const decision = this.decide({ type: 'unarchive', restoreTo });
      this.queue = decision.state;
      await this.apply(decision.effects);
      return this.view();
    });
  }

  warm(): Promise<void> {
    return this.exec(async () => {
      if (this.row.record.status === 'archived' || !this.deps.runner.warm) return;
      // With no model anywhere, prompts fail before they reach a sandbox: starting one would be
      // wasted work. A prompt that names its own model still starts one when it runs.
      if ((this.row.record.model ?? this.deps.defaultModel) === null) return;
      const runner = this.deps.runner;
      // Not awaited: warming can take a while and must not hold up the session's commands.
      void runner.warm!(this.row.record, this.context()).catch((err) =>
        this.deps.log.warn({ err, sessionId: this.id }, 'warming the sandbox failed'),
      );
    });
  }

  /** An artifact made outside a prompt (a pull request opened from the API), on the timeline in order. */
  recordArtifact(artifact: Omit<Artifact, 'id' | 'createdAt'>): Promise<Artifact> {
    return this.artifacts.record(artifact);
  }

  /** Ends everything the session has running and removes it for good. */
  delete(): Promise<void> {
    return this.exec(async () => {
      this.deleted = true;
      for (const [, controller] of this.aborts) controller.abort();
      if (this.queue.running) await this.deps.runner.stop(this.id).catch(() => undefined);
      await this.deps.runner.release?.(this.id, 'deleted').catch(() => undefined);
      await this.timeline.close();
      await this.deps.store.sessions.delete(this.id);
    });
  }

  /** After a restart: resume or fail the prompt that was running, then carry on with the queue. */
  recover(): Promise<void> {
    return this.exec(async () => {
      const messageId = this.queue.running;
      if (messageId) {
        const message = await this.deps.store.messages.get(this.id, messageId);
        const reattach = this.deps.runner.reattach;
        if (message && reattach) {
          const controller = new AbortController();
          this.aborts.set(messageId, controller);
          const job = promptJob(this.row.record, message, this.deps.defaultModel);
          void reattachPrompt(reattach, this.deps.runner, job, this.context(controller.signal)).then(
            (result) => this.finish(messageId, result),
          );
          return;
        }
        void this.finish(messageId, { outcome: 'failed', error: RESTART_ERROR });
        return;
      }
      const [next, ...rest] = this.queue.queued;
      if (next && this.row.record.status !== 'archived') {
        this.queue = { ...this.queue, running: next, queued: rest };
        await this.apply([{ type: 'start', messageId: next }]);
      }
    });
  }

  async close(): Promise<void> {
    await this.mailbox.catch(() => undefined);
    await this.timeline.close();
  }

  private exec<T>(command: () => Promise<T>): Promise<T> {
    if (this.deleted) return Promise.reject(new NotFound(`session ${this.id}`));
    this.lastActivity = Date.now();
    this.commandsInFlight += 1;
    const result = this.mailbox.then(command).finally(() => {
      this.commandsInFlight -= 1;
      this.lastActivity = Date.now();
    });
    this.mailbox = result.catch(() => undefined);
    return result;
  }

  private decide(command: QueueCommand) {
    const decision = decide(this.queue, command);
    if (!decision.ok) throw new StateConflict(decision.rejection);
    return decision;
  }

  private async apply(effects: QueueEffect[]): Promise<void> {
    for (const effect of effects) {
      switch (effect.type) {
        case 'status':
          await this.setStatus(effect.status);
          break;
        case 'start':
          await this.start(effect.messageId);
          break;
        case 'abort':
          this.abort(effect.messageId);
          break;
        case 'cancel':
          await this.markCancelled(effect.messageId);
          break;
        case 'release-sandbox':
          await this.deps.runner
            .release?.(this.id, 'archived')
            .catch((err) => this.deps.log.warn({ err, sessionId: this.id }, 'releasing the sandbox failed'));
          break;
      }
    }
  }

  private async setStatus(status: SessionRecord['status']): Promise<void> {
    await this.row.setStatus(status);
    this.emit({ type: 'session_status', data: { status } });
  }

  private async start(messageId: string): Promise<void> {
    const startedAt = new Date().toISOString();
    await this.deps.store.messages.update(messageId, { status: 'running', startedAt });
    await this.row.touch();
    this.emit({ type: 'prompt_started', data: { messageId } });
    const message = (await this.deps.store.messages.get(this.id, messageId))!;
    const job = promptJob(this.row.record, message, this.deps.defaultModel);
    const refusal = await refusalOf(job, message, this.deps.admitPrompt);
    if (refusal) {
      // Finishing goes through the mailbox, after this command: the queue stays strictly ordered.
      void this.finish(messageId, { outcome: 'failed', error: refusal });
      return;
    }
    const controller = new AbortController();
    this.aborts.set(messageId, controller);
    void runPrompt(this.deps.runner, job, this.context(controller.signal)).then((result) =>
      this.finish(messageId, result),
    );
  }

  private abort(messageId: string): void {
    const controller = this.aborts.get(messageId);
    if (!controller || controller.signal.aborted) return;
    controller.abort();
    void this.deps.runner
      .stop(this.id)
      .catch((err) => this.deps.log.warn({ err, sessionId: this.id }, 'stop failed'));
    // A runner that does not wind down in time is not allowed to hold the queue.
    setTimeout(() => {
      if (this.aborts.get(messageId) !== controller) return;
      void this.exec(async () => {
        if (this.aborts.get(messageId) !== controller) return;
        // Before the queue moves on: the next prompt must not land on the agent that ignored the stop.
        await this.deps.runner
          .abandon?.(this.id, ABANDONED_ERROR)
          .catch((err) => this.deps.log.warn({ err, sessionId: this.id }, 'abandon failed'));
        await this.finishNow(messageId, { outcome: 'stopped', error: ABANDONED_ERROR });
      }).catch((err) => {
        if (!this.deleted)
          this.deps.log.error({ err, sessionId: this.id, messageId }, 'could not abandon a prompt');
      });
    }, this.deps.stopGraceMs).unref();
  }

  private finish(messageId: string, result: PromptResult): Promise<void> {
    return this.exec(async () => {
      await this.finishNow(messageId, result);
    }).catch((err) => {
      if (!this.deleted)
        this.deps.log.error({ err, sessionId: this.id, messageId }, 'could not finish a prompt');
    });
  }

  private async finishNow(messageId: string, result: PromptResult): Promise<void> {
    if (this.queue.running !== messageId) return; // already finished (e.g. abandoned after stop)
    await this.deps.settleUsage?.(this.id);
    const controller = this.aborts.get(messageId);
    this.aborts.delete(messageId);
    const end = promptEnd(result, controller?.signal.aborted === true);
    await this.deps.store.messages.update(messageId, {
      status: end.outcome,
      error: end.error,
      finishedAt: new Date().toISOString(),
    });
    const usage = await this.deps.store.usage.totals({ messageId });
    this.usage = await this.deps.store.usage.totals({ sessionId: this.id });
    this.emit(promptCompleted(messageId, end, usage));
    const decision = this.decide({ type: 'finished', messageId });
    this.queue = decision.state;
    await this.row.touch();
    await this.apply(decision.effects);
  }

  private async markCancelled(messageId: string): Promise<void> {
    await this.deps.store.messages.update(messageId, {
      status: 'cancelled',
      finishedAt: new Date().toISOString(),
    });
    this.emit({ type: 'prompt_cancelled', data: { messageId } });
    await this.row.touch();
  }

  private context(signal?: AbortSignal): RunContext {
    const ctx: SessionContext = {
      emit: (event, checkpoint) => {
        if (!this.deleted) this.emit(event, checkpoint);
      },
      addArtifact: (artifact) => this.artifacts.record(artifact),
      flushed: () => this.timeline.flushed(),
    };
    return { ...ctx, signal: signal ?? new AbortController().signal };
  }

  private accepted(messageId: string, status: Message['status']): PromptAccepted {
    // A repeated clientRequestId reports the prompt as it stands now.
    return { messageId, status, position: positionOf(this.queue, messageId) };
  }
}
