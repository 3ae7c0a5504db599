import { useEffect, useState, type KeyboardEvent } from 'react';
import type { Session } from '@nightshift/protocol';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import { linkHandler } from '../router.js';
import { formatRelative, repoName } from '../components/format.js';

type Tab = 'active' | 'archived';
const POLL_MS = 3_000;

/**
 * The home page. Kept live by polling the list: one cheap request every few seconds serves any
 * number of sessions, where a socket per session would replay each timeline just to learn its
 * status. Polling pauses while the tab is hidden.
 */
export function SessionsPage() {
  const [tab, setTab] = useState<Tab>('active');
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setSessions(null);
    const load = async () => {
      clearTimeout(timer);
      try {
        const list = await api.listSessions(tab);
        if (!cancelled) {
          setSessions(list);
          setError(null);
        }
      } catch (err) {
        if (!cancelled) setError(describeError(err));
      }
      if (!cancelled && document.visibilityState === 'visible') timer = setTimeout(load, POLL_MS);
    };
    const onVisible = () => document.visibilityState === 'visible' && void load();
    void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [tab]);

  const tabs: Tab[] = ['active', 'archived'];
  function onTabKey(e: KeyboardEvent) {
    // Arrow keys move between tabs, as in the ARIA tabs pattern.
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const next = tabs[(tabs.indexOf(tab) + 1) % tabs.length]!;
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  }

  return (
    <main className="page">
      <div className="page-head">
        <h1>Sessions</h1>
        <a href="/new" className="button primary" onClick={linkHandler}>
          New session
        </a>
      </div>
      <div role="tablist" aria-label="Sessions" className="tabs" onKeyDown={onTabKey}>
        {tabs.map((t) => (
          <button
            key={t}
            id={`tab-${t}`}
            role="tab"
            type="button"
            aria-selected={tab === t}
            aria-controls="sessions-panel"
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
          >
            {t === 'active' ? 'Active' : 'Archived'}
          </button>
        ))}
      </div>
      <div id="sessions-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        {sessions === null && !error && <p className="muted">Loading…</p>}
        {sessions?.length === 0 && (
          <p className="muted empty-state">
            {tab === 'active' ? 'No sessions yet. Start one with “New session”.' : 'No archived sessions.'}
          </p>
        )}
        {sessions && sessions.length > 0 && (
          <ul
            className="session-list"
            aria-label={tab === 'active' ? 'Active sessions' : 'Archived sessions'}
          >
            {sessions.map((s) => (
              <SessionRow key={s.id} session={s} />
            ))}
          </ul>
        )}
      </div>
    </main>
  );
}

function SessionRow({ session: s }: { session: Session }) {
  const busy = s.queue.running !== null;
  return (
    <li>
      <a href={`/sessions/${encodeURIComponent(s.id)}`} onClick={linkHandler} className="session-row">
        <span className="session-row-title">{s.title ?? repoName(s.repo)}</span>
        <span className="session-row-meta muted">
          <code>{s.branch}</code>
          {s.title && <span title={s.repo}> · {repoName(s.repo)}</span>}
        </span>
        <span className="session-row-badges">
          <span className={`badge status-${s.status}`}>{s.status}</span>
          <span className={`badge sandbox-${s.sandbox.status}`} title="Sandbox">
            sandbox: {s.sandbox.status}
          </span>
          {busy && <span className="badge status-running">running</span>}
          {s.queue.queued.length > 0 && <span className="badge">{s.queue.queued.length} queued</span>}
        </span>
        <time
          className="session-row-time muted"
          dateTime={s.updatedAt}
          title={new Date(s.updatedAt).toLocaleString()}
        >
          {formatRelative(s.updatedAt)}
        </time>
      </a>
    </li>
  );
}
