/** Where a command writes and what it knows about its surroundings; tests pass their own. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Where a command reads what the user types or pipes in (only `login` does). */
export interface InputStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  /** A terminal's: typed characters come one by one and are not echoed. */
  setRawMode?(raw: boolean): unknown;
}

export interface Io {
  /** Absent where nothing can be typed in; a command that needs input then says so. */
  stdin?: InputStream;
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * Resolves when the user asks the command to end (Ctrl-C, SIGTERM, or the terminal closing). Only long-running commands
   * call it: installing the handlers takes over Ctrl-C, which short commands should leave alone.
   */
  interrupted(): Promise<NodeJS.Signals>;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function processIo(): Io {
  let interrupted: Promise<NodeJS.Signals> | undefined;
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    interrupted: () =>
      (interrupted ??= new Promise((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
          for (const s of SIGNALS) process.off(s, onSignal);
          resolve(signal);
        };
        for (const s of SIGNALS) process.on(s, onSignal);
      })),
  };
}
