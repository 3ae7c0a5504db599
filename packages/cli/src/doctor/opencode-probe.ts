import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandRun, runCommand } from '@nightshift/server';

/**
 * Whether the OpenCode binary the sandboxes run is installed and starts. The CLI ships it (the
 * opencode-ai package), so it is looked for from here; `run` is the server's host `runCommand`.
 */
export async function probeOpenCode(
  run: typeof runCommand,
): Promise<{ path: string | null; run: CommandRun | null }> {
  let binary: string;
  try {
    const require = createRequire(import.meta.url);
    binary = path.join(path.dirname(require.resolve('opencode-ai/package.json')), 'bin', 'opencode.exe');
  } catch {
    return { path: null, run: null };
  }
  if (!existsSync(binary))
    return { path: binary, run: { ok: false, notFound: true, output: 'binary missing' } };
  return { path: binary, run: await run(binary, ['--version'], 30_000) };
}
