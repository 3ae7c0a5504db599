import type { Message, Session } from '@nightshift/protocol';
import { stripAnsi, type Colors } from './color.js';
import { terminalSafe } from './terminal-text.js';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** "3m ago" style, relative to `now`. */
export function formatAge(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

export function firstLine(text: string, max = 80): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function queueSummary(session: Session): string {
  const queued = session.queue.queued.length;
  if (session.queue.running) return queued ? `running, ${queued} queued` : 'running';
  return queued ? `${queued} queued` : 'idle';
}

export function statusColor(c: Colors, status: string): string {
  switch (status) {
    case 'active':
    case 'completed':
    case 'ready':
      return c.green(status);
    case 'running':
    case 'queued':
      return c.cyan(status);
    case 'archived':
    case 'cancelled':
      return c.dim(status);
    case 'failed':
      return c.red(status);
    case 'stopped':
      return c.yellow(status);
    default:
      return status;
  }
}

/** Left-aligned columns; colour codes do not count towards the widths. */
export function columns(rows: string[][], visibleLength: (s: string) => number): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function sessionTable(sessions: Session[], c: Colors, now: number): string {
  const header = ['ID', 'STATUS', 'SANDBOX', 'QUEUE', 'UPDATED', 'REPO', 'TITLE'].map((h) => c.bold(h));
  const rows = terminalSafe(sessions).map((s) => [
    s.id,
    statusColor(c, s.status),
    s.sandbox.status,
    queueSummary(s),
    formatAge(s.updatedAt, now),
    s.repo + c.dim(`@${s.baseBranch}`),
    s.title ?? '',
  ]);
  return columns([header, ...rows], (s) => stripAnsi(s).length) + '\n';
}

export function sessionDetails(unsafe: Session, webUrl: string, c: Colors): string {
  const session = terminalSafe(unsafe);
  return (
    [
      `${c.bold('session')} ${session.id}  ${statusColor(c, session.status)}`,
      `  repo     ${session.repo} (base ${session.baseBranch})`,
      `  branch   ${session.branch}`,
      ...(session.title ? [`  title    ${session.title}`] : []),
      ...(session.model ? [`  model    ${session.model}`] : []),
      `  sandbox  ${session.sandbox.status}`,
      `  queue    ${queueSummary(session)}`,
      `  web      ${webUrl}`,
    ].join('\n') + '\n'
  );
}

export function messageLine(unsafe: Message, c: Colors): string {
  const message = terminalSafe(unsafe);
  const error = message.error ? `: ${message.error}` : '';
  return `${message.id}  ${statusColor(c, message.status)}  ${firstLine(message.text, 60)}${error}\n`;
}
