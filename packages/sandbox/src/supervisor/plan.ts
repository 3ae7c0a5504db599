/**
 * Which repository scripts run on this start. Pure: the caller says which files exist.
 * `.nightshift/` wins; `.openinspect/` is read as a fallback so repositories prepared for
 * Open-Inspect work unchanged.
 */

export type ScriptKind = 'setup' | 'start';

export const SCRIPT_DIRS = ['.nightshift', '.openinspect'] as const;

/** Relative path of the script to run, or null when the repository has none. */
export function pickScript(kind: ScriptKind, exists: (relativePath: string) => boolean): string | null {
  for (const dir of SCRIPT_DIRS) {
    const candidate = `${dir}/${kind}.sh`;
    if (exists(candidate)) return candidate;
  }
  return null;
}

export interface StartPlan {
  /** setup.sh runs only on a fresh clone: a synced workspace already has what it installed. */
  setup: string | null;
  /** start.sh runs on every start. */
  start: string | null;
}

export function planStart(fresh: boolean, exists: (relativePath: string) => boolean): StartPlan {
  return { setup: fresh ? pickScript('setup', exists) : null, start: pickScript('start', exists) };
}
