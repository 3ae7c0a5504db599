/**
 * Exit codes scripts can branch on. Documented in `nightshift --help`; keep them stable.
 */
export const EXIT = {
  ok: 0,
  /** Something went wrong, or a waited-for prompt failed, or `doctor` found a required check missing. */
  failure: 1,
  /** The command line (or the input it carries) is wrong. */
  usage: 2,
  /** No Nightshift server answers at the address. */
  unreachable: 3,
  /** The session or message does not exist. */
  notFound: 4,
  /** The request conflicts with the session's state (archived session, message no longer queued). */
  conflict: 5,
  /** A waited-for prompt was stopped. */
  stopped: 6,
  /** A waited-for prompt was cancelled before it ran. */
  cancelled: 7,
  /** A team-mode server wants a token, or refused the one given: `nightshift login`. */
  unauthenticated: 8,
  /** GitHub refused on the person's behalf: App not installed, GitHub sign-in expired, rate limited. */
  github: 9,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
