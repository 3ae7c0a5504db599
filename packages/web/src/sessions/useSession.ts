import { useCallback, useEffect, useRef, useState } from 'react';
import type { Author, Message, Participant, Session, SessionEvent } from '@nightshift/protocol';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import { SessionSocket, type ConnectionState } from '../api/socket.js';
import { applyEvents, initialTimeline, type TimelineState } from '../timeline/reducer.js';
import { newRequestId } from './request-id.js';

const TYPING_SHOWN_MS = 4_000;
const TYPING_SEND_EVERY_MS = 2_500;
const GAP_REFETCH_MS = 1_000;
const HISTORY_PAGE = 10_000;
const GAP_REFETCH_LIMIT = 5_000;

async function loadHistory(sessionId: string, apply: (events: SessionEvent[]) => void): Promise<void> {
  for await (const page of api.eventPages(sessionId, { limit: HISTORY_PAGE })) apply(page);
}

export interface SessionModel {
  session: Session | null;
  loadError: string | null;
  timeline: TimelineState;
  messages: ReadonlyMap<string, Message>;
  connection: ConnectionState;
  participants: Participant[];
  typing: Author[];
  send(text: string): Promise<void>;
  cancel(messageId: string): Promise<void>;
  stop(): Promise<void>;
  setArchived(archived: boolean): Promise<void>;
  notifyTyping(): void;
}

/**
 * Everything the session view shows, kept live: the session, its timeline (from the WebSocket,
 * resumed from the last applied seq on every reconnect), prompt texts, presence and typing.
 */
export function useSession(sessionId: string, me: Author | null, signedIn = false): SessionModel {
  const [session, setSession] = useState<Session | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [timeline, setTimeline] = useState<TimelineState>(() => initialTimeline());
  const [messages, setMessages] = useState<ReadonlyMap<string, Message>>(new Map());
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [typingUntil, setTypingUntil] = useState<ReadonlyMap<string, { user: Author; until: number }>>(
    new Map(),
  );
  const [now, setNow] = useState(() => Date.now());

  const timelineRef = useRef(timeline);
  timelineRef.current = timeline;
  const messagesRef = useRef(messages);
  messagesRef.current = messages;
  const meRef = useRef(me);
  meRef.current = me;
  const signedInRef = useRef(signedIn);
  signedInRef.current = signedIn;
  const socketRef = useRef<SessionSocket | null>(null);
  const lastTypingSent = useRef(0);
  const refetchingMessages = useRef<Promise<void> | null>(null);

  const refreshMessages = useCallback(() => {
    refetchingMessages.current ??= api
      .messages(sessionId)
      .then((list) => setMessages(new Map(list.map((m) => [m.id, m]))))
      .catch(() => undefined)
      .finally(() => (refetchingMessages.current = null));
    return refetchingMessages.current;
  }, [sessionId]);

  const refreshSession = useCallback(
    () =>
      api
        .getSession(sessionId)
        .then(setSession)
        .catch(() => undefined),
    [sessionId],
  );

  const applyBatch = useCallback(
    (events: SessionEvent[]) => {
      const next = applyEvents(timelineRef.current, events);
      timelineRef.current = next;
      setTimeline(next);
      // Events stored before `prompt_queued` carried the text do not have it: fetch those.
      if (
        events.some(
          (e) =>
            e.type === 'prompt_queued' &&
            e.data.text === undefined &&
            !messagesRef.current.has(e.data.messageId),
        )
      ) {
        void refreshMessages();
      }
      // The session's usage is counted by the model proxy: read it again once a prompt ends.
      if (events.some((e) => e.type === 'session_status' || e.type === 'prompt_completed'))
        void refreshSession();
    },
    [refreshMessages, refreshSession],
  );

  const announce = useCallback(() => {
    const user = meRef.current;
    if (!user) return;
    socketRef.current?.send({
      type: 'presence',
      user,
      status: document.visibilityState === 'visible' ? 'active' : 'idle',
    });
  }, []);

  useEffect(() => {
    let cancelled = false;
    const fresh = initialTimeline();
    timelineRef.current = fresh;
    setTimeline(fresh);
    setSession(null);
    setLoadError(null);
    setMessages(new Map());
    // History is fetched alongside the session, not after it: one round trip less to open.
    const history: SessionEvent[] = [];
    const historyLoaded = loadHistory(sessionId, (events) => history.push(...events));
    historyLoaded.catch(() => undefined);
    api
      .getSession(sessionId)
      .then((s) => {
        if (cancelled) return;
        setSession(s);
        // Until events say otherwise, the sandbox is as the session reports it.
        if (timelineRef.current.seq === 0) {
          const seeded = { ...timelineRef.current, sandbox: { status: s.sandbox.status } };
          timelineRef.current = seeded;
          setTimeline(seeded);
        }
        void refreshMessages();
        // History comes over REST in big pages (one JSON parse per 10k events, instead of one
        // WebSocket message each); the socket then replays only what came after.
        return historyLoaded.then(() => !cancelled && applyBatch(history));
      })
      .then(() => {
        if (cancelled) return;
        socketRef.current = new SessionSocket(sessionId, timelineRef.current.seq, {
          onEvents: applyBatch,
          onState: (state) => {
            setConnection(state);
            // Who was there is unknown while away; the server re-sends presence on reconnect.
            if (state === 'reconnecting') {
              setParticipants([]);
              setTypingUntil(new Map());
            }
          },
          onOpen: () => {
            announce();
            void refreshSession();
          },
          onSignal: (frame) => {
            if (frame.type === 'presence_update') setParticipants(frame.participants);
            else if (frame.type === 'typing') {
              setTypingUntil((prev) => {
                const next = new Map(prev);
                next.set(frame.user.email, { user: frame.user, until: Date.now() + TYPING_SHOWN_MS });
                return next;
              });
            }
          },
        });
      })
      .catch((err: unknown) => {
        if (!cancelled) setLoadError(describeError(err));
      });
    return () => {
      cancelled = true;
      socketRef.current?.close();
      socketRef.current = null;
    };
  }, [sessionId, applyBatch, announce, refreshMessages, refreshSession]);

  // Presence follows the tab's visibility and the chosen identity.
  useEffect(() => {
    announce();
    document.addEventListener('visibilitychange', announce);
    return () => document.removeEventListener('visibilitychange', announce);
  }, [announce, me]);

  // A gap that the socket does not fill soon (a lost frame) is filled from the REST history.
  useEffect(() => {
    if (timeline.held.size === 0) return;
    const timer = setTimeout(() => {
      void api
        .events(sessionId, { after: timelineRef.current.seq, limit: GAP_REFETCH_LIMIT })
        .then(applyBatch)
        .catch(() => undefined);
    }, GAP_REFETCH_MS);
    return () => clearTimeout(timer);
  }, [timeline.held, sessionId, applyBatch]);

  // Expire "is typing" notices.
  useEffect(() => {
    if (typingUntil.size === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [typingUntil]);

  const typing = [...typingUntil.values()]
    .filter((t) => t.until > now && t.user.email !== me?.email)
    .map((t) => t.user);

  const send = useCallback(
    async (text: string) => {
      const accepted = await api.prompt(sessionId, {
        text,
        // Signed in, the author is whoever the session cookie says; claiming one would be ignored.
        author: signedInRef.current ? undefined : (meRef.current ?? undefined),
        clientRequestId: newRequestId(),
      });
      // We know our own prompt's text already; no need to wait for a messages refetch.
      setMessages((prev) => {
        if (prev.has(accepted.messageId)) return prev;
        const next = new Map(prev);
        next.set(accepted.messageId, {
          id: accepted.messageId,
          text,
          author: meRef.current ?? { name: 'You', email: '' },
          model: null,
          status: accepted.status,
          error: null,
          createdAt: new Date().toISOString(),
          startedAt: null,
          finishedAt: null,
        });
        return next;
      });
    },
    [sessionId],
  );

  const cancel = useCallback(
    async (messageId: string) => void (await api.cancel(sessionId, messageId)),
    [sessionId],
  );
  const stop = useCallback(() => api.stop(sessionId), [sessionId]);
  const setArchived = useCallback(
    async (archived: boolean) =>
      setSession(await (archived ? api.archive(sessionId) : api.unarchive(sessionId))),
    [sessionId],
  );
  const notifyTyping = useCallback(() => {
    const t = Date.now();
    if (t - lastTypingSent.current < TYPING_SEND_EVERY_MS) return;
    if (socketRef.current?.send({ type: 'typing' })) lastTypingSent.current = t;
  }, []);

  return {
    session,
    loadError,
    timeline,
    messages,
    connection,
    participants,
    typing,
    send,
    cancel,
    stop,
    setArchived,
    notifyTyping,
  };
}
