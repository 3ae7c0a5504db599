/** Small display helpers shared by the views. */

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s % 60)} s`;
}

/**
 * The time of day, with the date when it was not today: people come back to a background
 * session the next morning, and "06:58" alone would then read as a few minutes ago.
 */
export function formatTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === now.toDateString()) return time;
  const date = d.toLocaleDateString(undefined, {
    month: 'short',
    day: 'numeric',
    ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}),
  });
  return `${date}, ${time}`;
}

export function formatRelative(iso: string, now = Date.now()): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function formatCost(cost: number): string {
  return cost === 0 ? '$0' : cost < 0.01 ? `$${cost.toFixed(4)}` : `$${cost.toFixed(2)}`;
}

export function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

/** A one-line summary of a tool's input: the command, path or pattern it was called with. */
export function summarizeInput(input: unknown): string {
  if (input === undefined || input === null) return '';
  if (typeof input === 'string') return oneLine(input);
  if (typeof input === 'object') {
    const o = input as Record<string, unknown>;
    for (const key of ['command', 'filePath', 'path', 'pattern', 'url', 'query', 'description']) {
      if (typeof o[key] === 'string') return oneLine(o[key]);
    }
    return oneLine(JSON.stringify(input));
  }
  return oneLine(String(input));
}

function oneLine(s: string, max = 120): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * A short name for a repository: `owner/name` of a URL, but only the directory's name of a local
 * path, where the parent is not an owner (`/tmp/x` is not `tmp/x`).
 */
export function repoName(repo: string): string {
  const trimmed = repo.replace(/\/+$/, '').replace(/\/?\.git$/, '');
  const local = trimmed.startsWith('/') || trimmed.startsWith('file://');
  return trimmed
    .split(/[/:]/)
    .slice(local ? -1 : -2)
    .join('/');
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase();
}
