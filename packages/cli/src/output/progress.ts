import type { OutputStream } from '../io.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A single status line at the bottom of a terminal, redrawn in place, with everything else
 * printed above it. Only for TTYs; it draws only when the cursor is at the start of a line, so
 * text streaming in mid-line is never overwritten.
 */
export class ProgressLine {
  private label: string | null = null;
  private startedAt = 0;
  private frame = 0;
  private drawn = false;
  private atLineStart = true;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: OutputStream,
    private readonly now: () => number = Date.now,
  ) {}

  /** Shows (or updates) the line; the clock keeps running from the first `show`. */
  show(label: string): void {
    if (this.label === null) this.startedAt = this.now();
    this.label = label;
    this.timer ??= setInterval(() => this.redraw(), 100);
    this.timer.unref?.();
    this.redraw();
  }

  hide(): void {
    this.clear();
    this.label = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get active(): boolean {
    return this.label !== null;
  }

  /** Prints text above the progress line. */
  print(text: string): void {
    if (!text) return;
    this.clear();
    this.out.write(text);
    this.atLineStart = text.endsWith('\n');
    this.redraw();
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  private redraw(): void {
    if (this.label === null || !this.atLineStart) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    const seconds = ((this.now() - this.startedAt) / 1000).toFixed(1);
    const width = this.out.columns ?? 80;
    const line = `${FRAMES[this.frame]} ${this.label} ${seconds}s`.slice(0, Math.max(10, width - 1));
    this.out.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }
}
