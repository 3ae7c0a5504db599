import WebSocket from 'ws';
import { ErrorBody, SessionEvent as SessionEventSchema, type SessionEvent } from '@nightshift/protocol';
import { ApiError } from '../errors.js';

export interface FollowOptions {
  serverUrl: string;
  sessionId: string;
  /** Only events with a greater `seq` are delivered. */
  after: number;
  /** Called once per event, in order, never twice for one `seq`. Return true to stop following. */
  onEvent(event: SessionEvent): void | boolean | Promise<void | boolean>;
  /** The connection went away (once per outage); following continues with retries. */
  onDisconnect?(reason: string): void;
  /** Connected again after an outage. */
  onReconnect?(): void;
  signal?: AbortSignal;
  /** Delays between reconnection attempts; the last one repeats. */
  retryDelaysMs?: number[];
  /** How often to ping; a connection silent for twice this long is considered dead. */
  pingIntervalMs?: number;
}

type Attempt =
  { kind: 'done' } | { kind: 'dropped'; reason: string; opened: boolean } | { kind: 'fatal'; error: Error };

const DEFAULT_RETRY_DELAYS_MS = [200, 500, 1000, 2000, 3000];

/**
 * Follows a session's timeline over the WebSocket, replay first and then live. When the
 * connection drops (network, server restart) it reconnects with `after` = the last seq it
 * delivered, so nothing is missed and nothing is delivered twice. Resolves with the last seq
 * when `onEvent` asks to stop or the signal aborts; rejects only when following cannot go on
 * (the session does not exist).
 */
export async function followTimeline(options: FollowOptions): Promise<number> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  let lastSeq = options.after;
  let failures = 0;
  let inOutage = false;
  while (!options.signal?.aborted) {
    const attempt = await connectOnce(
      options,
      lastSeq,
      (seq) => (lastSeq = seq),
      () => {
        if (inOutage) options.onReconnect?.();
        inOutage = false;
      },
    );
    if (attempt.kind === 'done') break;
    if (attempt.kind === 'fatal') throw attempt.error;
    if (attempt.opened) failures = 0;
    if (!inOutage) options.onDisconnect?.(attempt.reason);
    inOutage = true;
    await sleep(delays[Math.min(failures, delays.length - 1)]!, options.signal);
    failures += 1;
  }
  return lastSeq;
}

function connectOnce(
  options: FollowOptions,
  after: number,
  delivered: (seq: number) => void,
  opened: () => void,
): Promise<Attempt> {
  const wsUrl = `${options.serverUrl.replace(/^http/, 'ws')}/api/sessions/${encodeURIComponent(options.sessionId)}/ws?after=${after}`;
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl);
    let lastSeq = after;
    let settled = false;
    let wasOpen = false;
    let stopping = false;
    let lastHeard = Date.now();
    // Frames are handled one at a time, in order, even when a handler is async.
    let processing: Promise<void> = Promise.resolve();
    const pingEvery = options.pingIntervalMs ?? 15_000;

    const settle = (result: Attempt) => {
      if (settled) return;
      settled = true;
      clearInterval(pinger);
      options.signal?.removeEventListener('abort', onAbort);
      // Let in-flight handlers finish so the caller's idea of the last seq is exact.
      void processing.then(() => resolve(result));
    };
    const onAbort = () => {
      stopping = true;
      ws.terminate();
      settle({ kind: 'done' });
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const pinger = setInterval(() => {
      if (Date.now() - lastHeard > pingEvery * 2) {
        ws.terminate();
        settle({ kind: 'dropped', reason: 'the connection went silent', opened: wasOpen });
      } else if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'ping' }));
      }
    }, pingEvery);
    pinger.unref();

    ws.on('open', () => {
      wasOpen = true;
      opened();
    });
    ws.on('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        const status = res.statusCode ?? 0;
        if (status === 404 || status === 400) {
          const body = ErrorBody.safeParse(safeJson(Buffer.concat(chunks).toString()));
          const message = body.success ? body.data.error.message : `session ${options.sessionId} not found`;
          settle({
            kind: 'fatal',
            error: new ApiError(status, body.success ? body.data.error.code : 'not_found', message),
          });
        } else {
          settle({ kind: 'dropped', reason: `the server answered ${status}`, opened: false });
        }
      });
    });
    ws.on('message', (raw) => {
      lastHeard = Date.now();
      if (stopping) return;
      const frame = safeJson(raw.toString());
      const parsed = SessionEventSchema.safeParse(frame);
      if (!parsed.success) return; // presence, typing, pong, errors: not part of the timeline
      const event = parsed.data as SessionEvent;
      processing = processing.then(async () => {
        if (stopping || event.seq <= lastSeq) return;
        if (event.seq !== lastSeq + 1) {
          // A gap means this connection lost something; a fresh one replays from where we are.
          stopping = true;
          ws.terminate();
          settle({ kind: 'dropped', reason: `missed events after ${lastSeq}`, opened: wasOpen });
          return;
        }
        lastSeq = event.seq;
        delivered(event.seq);
        const stop = await options.onEvent(event);
        if (stop === true) {
          stopping = true;
          ws.close();
          settle({ kind: 'done' });
        }
      });
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      settle({ kind: 'dropped', reason: err.code ?? err.message, opened: wasOpen });
    });
    ws.on('close', (code, reason) => {
      settle({
        kind: 'dropped',
        reason: reason.toString() || `closed (${code})`,
        opened: wasOpen,
      });
    });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
