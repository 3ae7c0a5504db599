import type { Author, SessionEvent } from '@nightshift/protocol';
import type { Colors } from './color.js';
import { firstLine, formatDuration } from './format.js';
import { parseEvent } from './events.js';
import { terminalText } from './terminal-text.js';

/** Where rendered text goes: straight to the stream, or above a live progress line. */
export interface Printer {
  print(text: string): void;
}

/** A live status line; only given on a TTY. */
export interface Progress {
  show(label: string): void;
  hide(): void;
}

export interface PromptInfo {
  text: string;
  author: Author;
}

export interface RendererOptions {
  colors: Colors;
  progress?: Progress;
  /** The prompt behind a message id, when it is known, to show what was asked. */
  promptInfo?(messageId: string): PromptInfo | undefined;
}

/**
 * Turns timeline events into terminal output: agent text streams in as it arrives, each tool
 * call shows its state changes, sandbox phases show as lines (and a live progress line on a
 * terminal), prompts show how they ended.
 */
export class TimelineRenderer {
  private atLineStart = true;
  private openPart: string | null = null;
  private readonly toolStates = new Map<string, string>();

  constructor(
    private readonly printer: Printer,
    private readonly options: RendererOptions,
  ) {}

  render(raw: SessionEvent): void {
    const c = this.options.colors;
    const event = parseEvent(raw);
    if (!event) return this.line(c.dim(`#${raw.seq} ${terminalText(raw.type)}`));
    switch (event.type) {
      case 'session_status':
        return this.line(c.dim(`session is ${event.data.status}`));
      case 'prompt_queued': {
        const info = this.options.promptInfo?.(event.data.messageId);
        const where = event.data.position === 0 ? 'starting' : `queued #${event.data.position}`;
        const text = info ? ` ${firstLine(terminalText(info.text))}` : '';
        return this.line(
          `${c.bold(`▶ ${event.data.author.name}:`)}${text} ${c.dim(`(${event.data.messageId}, ${where})`)}`,
        );
      }
      case 'prompt_started':
        return this.line(c.dim(`prompt ${event.data.messageId} started`));
      case 'prompt_completed': {
        const { outcome, messageId, error } = event.data;
        this.options.progress?.hide();
        if (outcome === 'completed') return this.line(c.green(`✓ prompt ${messageId} completed`));
        if (outcome === 'stopped') return this.line(c.yellow(`■ prompt ${messageId} stopped`));
        return this.line(c.red(`✗ prompt ${messageId} failed${error ? `: ${error}` : ''}`));
      }
      case 'prompt_cancelled':
        return this.line(c.yellow(`⊘ prompt ${event.data.messageId} cancelled`));
      case 'sandbox_spawning':
        this.options.progress?.show(`starting sandbox (${event.data.mode})`);
        return this.line(c.dim(`sandbox: starting (${event.data.mode})`));
      case 'sandbox_status': {
        const { status, phase, durationMs, output } = event.data;
        // Bare status flips (running, ready) are already told by the prompt and ready events.
        if (!phase && durationMs === undefined && !output && status !== 'failed') return;
        const label = `sandbox: ${status}${phase && phase !== status ? ` (${phase})` : ''}`;
        const took = durationMs !== undefined ? ` ${formatDuration(durationMs)}` : '';
        const detail = output ? c.dim(` — ${firstLine(output, 100)}`) : '';
        if (status === 'failed') this.options.progress?.hide();
        else if (status === 'spawning' || status === 'syncing' || status === 'setup' || status === 'starting')
          this.options.progress?.show(`starting sandbox: ${status}`);
        return this.line(`${status === 'failed' ? c.red(label) : c.dim(label)}${c.dim(took)}${detail}`);
      }
      case 'sandbox_ready':
        this.options.progress?.hide();
        return this.line(c.green(`sandbox ready in ${formatDuration(event.data.durationMs)}`));
      case 'sandbox_error':
        this.options.progress?.hide();
        return this.line(
          c.red(`✗ sandbox error${event.data.phase ? ` (${event.data.phase})` : ''}: `) +
            indentRest(event.data.message.trim()),
        );
      case 'sandbox_event':
        return this.activity(event.data);
      case 'artifact_created':
        return this.line(this.artifact(event.data));
      case 'snapshot_saved':
        return this.line(c.dim(`snapshot saved (${event.data.reason})`));
    }
  }

  /** Ends an open line of streamed text, e.g. before exiting. */
  finish(): void {
    if (!this.atLineStart) this.printer.print('\n');
    this.atLineStart = true;
    this.openPart = null;
    this.options.progress?.hide();
  }

  private activity(data: Extract<SessionEvent, { type: 'sandbox_event' }>['data']): void {
    const c = this.options.colors;
    switch (data.kind) {
      case 'text': {
        if (this.openPart !== data.partId) this.finish();
        this.openPart = data.partId;
        if (!data.delta) return;
        this.printer.print(data.delta);
        this.atLineStart = data.delta.endsWith('\n');
        return;
      }
      case 'tool': {
        // A tool's pending state says nothing yet; each later state is shown once.
        if (data.status === 'pending' || this.toolStates.get(data.callId) === data.status) return;
        this.toolStates.set(data.callId, data.status);
        const what = data.title ?? summarizeInput(data.input);
        const subject = `${c.bold(data.tool)}${what ? ` ${what}` : ''}`;
        if (data.status === 'running') return this.line(`  ${c.cyan('⚙')} ${subject}`);
        if (data.status === 'completed') return this.line(`  ${c.green('✓')} ${subject}`);
        return this.line(
          `  ${c.red('✗')} ${subject}${data.error ? c.red(`: ${firstLine(data.error, 200)}`) : ''}`,
        );
      }
      case 'step': {
        if (!data.tokens && data.cost === undefined) return;
        const tokens = data.tokens ? `${data.tokens.input} in / ${data.tokens.output} out tokens` : '';
        const cost = data.cost !== undefined && data.cost > 0 ? `$${data.cost.toFixed(4)}` : '';
        const parts = [tokens, cost].filter(Boolean).join(', ');
        return parts ? this.line(c.dim(`  step: ${parts}`)) : undefined;
      }
    }
  }

  private artifact(artifact: Extract<SessionEvent, { type: 'artifact_created' }>['data']): string {
    const c = this.options.colors;
    const d = artifact.data as Record<string, unknown>;
    const str = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : '');
    switch (artifact.type) {
      case 'commit': {
        const author = (d.author as { name?: string } | undefined)?.name;
        return `${c.magenta('● commit')} ${str('sha').slice(0, 12)} ${firstLine(str('message'))}${author ? c.dim(` (${author})`) : ''}${d.pushed === true ? c.dim(` pushed to ${str('branch')}`) : ''}`;
      }
      case 'branch':
        return `${c.magenta('● branch')} ${str('branch')}${artifact.url ? ` ${artifact.url}` : ''}`;
      case 'pull_request':
        return `${c.magenta('● pull request')} ${artifact.url ?? str('title')}`;
      case 'screenshot':
        return `${c.magenta('● screenshot')} ${artifact.url ?? ''}`;
    }
  }

  private line(text: string): void {
    if (!this.atLineStart) this.printer.print('\n');
    this.openPart = null;
    this.printer.print(text + '\n');
    this.atLineStart = true;
  }
}

function summarizeInput(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const record = input as Record<string, unknown>;
  for (const key of ['command', 'filePath', 'path', 'pattern', 'url', 'query', 'description']) {
    if (typeof record[key] === 'string') return firstLine(record[key] as string, 100);
  }
  return '';
}

function indentRest(text: string): string {
  return text.split('\n').join('\n    ');
}
