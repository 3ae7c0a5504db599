#!/usr/bin/env node
// Thin launcher: compiles the TypeScript packages when a source changed since the last build (a
// fraction of a second, see scripts/build.mjs), then runs the CLI on plain Node.
import { ensureBuilt } from '../../../scripts/build.mjs';

try {
  await ensureBuilt();
} catch (error) {
  // An install owned by someone else, say: one line that says what to run, not a stack trace.
  process.stderr.write(
    `nightshift: the compiled packages (packages/*/dist) are out of date and could not be rebuilt: ${error.message}\n` +
      `Run \`node scripts/build.mjs\` in ${new URL('../../..', import.meta.url).pathname} as its owner.\n`,
  );
  process.exit(1);
}
const { main } = await import('../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
