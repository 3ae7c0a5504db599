/**
 * Where `nightshift demo` runs its server. Pure: the facts about the wanted port come in, the
 * decision and the sentence explaining it go out.
 */

/** What answers on the port the user asked for (default 7070). */
export type PortOccupant = 'free' | 'nightshift' | 'other';

export interface DemoServerPlan {
  /** The port to listen on; 0 picks a free one. */
  port: number;
  /** Why the demo does not use the wanted port, when it does not. */
  notice?: string;
}

export function planDemoServer(
  occupant: PortOccupant,
  wantedUrl: string,
  wantedPort: number,
): DemoServerPlan {
  if (occupant === 'free') return { port: wantedPort };
  if (occupant === 'nightshift') {
    // A running server uses its operator's model and data; the demo must neither reconfigure it
    // nor leave throwaway sessions in it, so it runs beside it.
    return {
      port: 0,
      notice:
        `A Nightshift server is already running at ${wantedUrl}. The demo needs its scripted model, ` +
        'which that server is not set up for, so it starts its own server on a free port and leaves yours alone.',
    };
  }
  return {
    port: 0,
    notice: `Port ${wantedPort} is taken by another program; the demo uses a free port instead.`,
  };
}

/**
 * After the demo, the server stays up for the browser only when someone is at a terminal to
 * press Ctrl-C; scripts and pipes (and `--exit`) get their exit.
 */
export function keepServerRunning(stdoutIsTTY: boolean, exitFlag: boolean): boolean {
  return stdoutIsTTY && !exitFlag;
}

export const DEFAULT_DEMO_PROMPT = 'Write a short note about this repository into a new file.';

/** Whose name the demo commit carries when neither --author nor git's user.name/email says. */
export const FALLBACK_DEMO_AUTHOR = { name: 'Demo User', email: 'demo-user@nightshift.local' };
